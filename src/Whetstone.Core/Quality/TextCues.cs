using System.Buffers;
using System.Text.RegularExpressions;

namespace Whetstone.Quality;

/// <summary>Generic wording cues the rules look for (English). None names a task, a tool or a data set: they read
/// how an answer, a reasoning step or a user turn is phrased. Matched on short texts only (final answers, the last
/// reasoning, the user's last turn, the head of tool results) so scoring stays fast.</summary>
internal static partial class TextCues
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>The answer says the agent does not know, could not find or cannot determine it.</summary>
    [GeneratedRegex(@"\b(?:i\s+(?:do\s*n[o']?t|don['’]t|can\s*not|can['’]t|could\s*n[o']?t|couldn['’]t|was\s+(?:not\s+able|unable)|am\s+(?:not\s+able|unable)|have\s+not\s+been\s+able)\s+(?:to\s+)?(?:know|find|determine|locate|identify|tell|be\s+sure|access|retrieve|confirm|verify)|not\s+sure|unsure|unknown|cannot\s+be\s+(?:determined|found|answered|confirmed)|could\s*n[o']?t\s+be\s+(?:determined|found|confirmed)|(?:no|insufficient|not\s+enough)\s+(?:relevant\s+)?(?:information|data|evidence)|unable\s+to\s+(?:find|determine|locate|answer|identify|confirm|verify)|not\s+(?:mentioned|specified|provided|stated)\s+in|is\s+unclear|unanswerable|need\s+(?:more|further)\s+(?:information|search|research))\b", Options)]
    public static partial Regex Uncertain();

    /// <summary>An answer that opens by refusing or apologising.</summary>
    [GeneratedRegex(@"^\W*(?:i['’]?m\s+(?:very\s+|so\s+)?sorry|i\s+am\s+(?:very\s+|so\s+)?sorry|sorry\b|i\s+apologi[sz]e|(?:my\s+)?apologies|unfortunately,?\s+i\s+(?:can\s*not|can['’]t|am\s+unable|was\s+unable|could\s*n[o']?t)|i\s+(?:can\s*not|can['’]t|am\s+unable\s+to|won['’]t|will\s+not|must\s+decline\s+to)\s+(?:help|assist|do|provide|comply|complete|fulfil|answer|share)|as\s+an\s+ai\b)", Options)]
    public static partial Regex Refusal();

    /// <summary>A message that only acknowledges or announces work instead of delivering a result.</summary>
    [GeneratedRegex(@"^\W*(?:on\s+it|working\s+on\s+(?:it|this|that)|i['’]?ll\s+(?:check|look|get|try|see|find|search|work|start|begin|follow|be\s+back|let\s+you\s+know)|i\s+will\s+(?:check|look|get|try|see|find|search|work|start|begin|follow|be\s+back|let\s+you\s+know)|let\s+me\s+(?:check|look|see|find|search|try|get|think)|i\s+need\s+to\s+(?:check|look|find|search|try|search)|i\s+am\s+(?:going\s+to|checking|looking)|i['’]?m\s+(?:going\s+to|checking|looking|working)|checking\b|looking\s+into|one\s+moment|just\s+a\s+(?:moment|sec(?:ond)?|minute)|give\s+me\s+a\s+(?:moment|sec(?:ond)?|minute)|hold\s+on|please\s+(?:wait|hold)|stand\s+by|(?:sure|ok(?:ay)?|got\s+it|understood|noted|will\s+do|roger)\W*$)", Options)]
    public static partial Regex Acknowledgement();

    /// <summary>A hand-over of the task to a person.</summary>
    [GeneratedRegex(@"\b(?:transfer(?:ring)?|connect(?:ing)?|escalat(?:e|ing)|hand(?:ing)?\s+(?:you\s+|this\s+)?(?:off|over)|pass(?:ing)?\s+(?:you|this)\s+(?:on|over)|rout(?:e|ing)\s+(?:you|this))\b.{0,60}?\b(?:human|live\s+agent|real\s+person|representative|specialist|colleague|supervisor|manager|support\s+team|operator|staff\s+member)s?\b", Options)]
    public static partial Regex Handoff();

    /// <summary>Tool names that hand a task to a person.</summary>
    [GeneratedRegex(@"(?:human|escalat|hand_?off|transfer_to|live_agent|operator|call_support)", Options)]
    public static partial Regex HandoffTool();

    /// <summary>A step, turn or iteration budget that was reached or that the agent says it ran out of.</summary>
    [GeneratedRegex(@"\b(?:max(?:imum)?[\s_-]*(?:number\s+of\s+)?(?:steps|iterations|turns|rounds|tool[\s_]calls)(?:\s+(?:reached|exceeded|hit))?|(?:step|iteration|turn|recursion)[\s_-]*(?:limit|budget)|max_iterations|max_steps|stopped\s+due\s+to\s+(?:max|iteration|step)|(?:have\s*n[o']?t|haven['’]t|did\s*n[o']?t|didn['’]t|not)\s+(?:solved|finished|completed|answered)\b.{0,40}?\bwithin\s+\d+\s+(?:steps|turns|iterations|attempts|tries)|(?:run(?:ning)?|ran)\s+out\s+of\s+(?:steps|turns|iterations|attempts|tries))\b", Options)]
    public static partial Regex StepLimit();

    [GeneratedRegex(@"\b(?:context[\s_-]*(?:length|window)(?:[\s_-]*exceeded)?|maximum\s+context|context_length_exceeded|token\s+limit|too\s+many\s+tokens|prompt\s+is\s+too\s+long|max(?:imum)?[\s_-]*tokens?\s+(?:reached|exceeded))\b", Options)]
    public static partial Regex ContextLimit();

    [GeneratedRegex(@"\b(?:that['’]?s\s+(?:wrong|incorrect|not\s+(?:right|correct|it|what))|(?:is|was|are|were)\s+(?:wrong|incorrect)|not\s+what\s+i\s+(?:asked|wanted|meant|said|need)|(?:does\s*n[o']?t|did\s*n[o']?t|doesn['’]t|didn['’]t|still\s+(?:does\s*n[o']?t|doesn['’]t|not|isn['’]?t))\s+(?:work|help|answer|fix|solve)|you\s+(?:did\s*n[o']?t|didn['’]t|forgot|missed|ignored|misunderstood|got\s+it\s+wrong)|still\s+(?:wrong|broken|not\s+working|the\s+same)|useless|not\s+helpful|unhelpful|wrong\s+answer|i\s+(?:already|just)\s+(?:said|told|asked))\b", Options)]
    public static partial Regex Complaint();

    [GeneratedRegex(@"\b(?:thanks?|thank\s+you|thx|ty|great|perfect|awesome|excellent|brilliant|that\s+(?:works|worked|helps|helped|did\s+it|is\s+it)|appreciated?|solved)\b", Options)]
    public static partial Regex Thanks();

    /// <summary>A tool result that opens by reporting an error (matched on its first characters).</summary>
    [GeneratedRegex(@"^\W{0,3}(?:error|exception|traceback|fatal|failed|failure|invalid|denied|forbidden|unauthori[sz]ed|timeout|timed\s+out|bad\s+request|not\s+allowed|permission\s+denied)\b", Options)]
    private static partial Regex ToolErrorOpening();

    /// <summary>An error stated inside a result: an HTTP error status, "Error:", an error field in JSON.</summary>
    [GeneratedRegex(@"\b[45]\d\d\s+(?:client|server)\s+error\b|\b(?:error|exception)\s*:|""(?:error|errors)""\s*:\s*(?!null|\[\s*\]|\{\s*\}|false|"""")|""(?:ok|success)""\s*:\s*false|""status""\s*:\s*""(?:error|failed|failure)""", Options)]
    private static partial Regex ToolErrorInside();

    /// <summary>The head of a tool result reports an error. Cheap checks first: most results say nothing of errors.</summary>
    public static bool IsToolError(ReadOnlySpan<char> head)
    {
        if (ToolErrorOpening().IsMatch(head.Length <= 64 ? head : head[..64]))
        {
            return true;
        }

        return head.ContainsAny(ErrorWords) && ToolErrorInside().IsMatch(head);
    }

    /// <summary>A tool result saying the called tool does not exist.</summary>
    [GeneratedRegex(@"\b(?:unknown\s+(?:tool|function|action|command)|no\s+such\s+(?:tool|function|action|command)|(?:tool|function|action)\s+(?:name\s+)?(?:'[^']{0,60}'\s+|""[^""]{0,60}""\s+)?(?:not\s+found|does\s*n[o']?t\s+exist|is\s+not\s+(?:available|defined|supported))|invalid\s+(?:tool|function|action)(?:\s+name)?|not\s+a\s+valid\s+(?:tool|function|action))\b", Options)]
    public static partial Regex UnknownToolResult();

    /// <summary>A whole (short) result that says nothing was found.</summary>
    [GeneratedRegex(@"^\W{0,3}(?:none|null|n/?a|no\s+(?:results?|matches|data|records?|entries|items)(?:\s+found)?|nothing\s+found|could\s+not\s+find|not\s+found|0\s+results?)\W*$|^\W{0,3}(?:no\s+(?:results?|matches|data|records?)\s+(?:found|for|match)|nothing\s+(?:found|matched)|could\s+not\s+find)\b", Options)]
    private static partial Regex EmptyOpening();

    /// <summary>A JSON result with a zero total or an empty list of results.</summary>
    [GeneratedRegex(@"""(?:total|count|totalResults|total_count|num_results)""\s*:\s*0\b|""(?:results|items|data|entries|entry|hits|records)""\s*:\s*\[\s*\]", Options)]
    private static partial Regex EmptyJson();

    /// <summary>The head of a tool result says it found nothing (empty, none, no results, a zero total).</summary>
    public static bool IsEmptyResult(ReadOnlySpan<char> head)
    {
        if (head.IsWhiteSpace() || EmptyOpening().IsMatch(head.Length <= 80 ? head : head[..80]))
        {
            return true;
        }

        var trimmed = head.TrimStart();
        return trimmed.Length > 0 && trimmed[0] is '{' or '[' && (head.Contains(": 0", StringComparison.Ordinal) || head.Contains(":0", StringComparison.Ordinal) ||
               head.Contains("[]", StringComparison.Ordinal) || head.Contains("[ ]", StringComparison.Ordinal)) && EmptyJson().IsMatch(head);
    }

    /// <summary>A line that is an action written as text (<c>Action: …</c>, <c>name(…)</c>, <c>name[…]</c>).</summary>
    [GeneratedRegex(@"^\s*(?:(?:Action|Thought)\s*\d*\s*:\s*\S.*|([A-Za-z_][\w.-]*)\s*[\(\[].*[\)\]])\s*$", RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    public static partial Regex ActionLine();

    /// <summary>Names of actions that end a run in text protocols.</summary>
    public static readonly HashSet<string> TerminalActions = new(StringComparer.OrdinalIgnoreCase)
    {
        "finish", "final_answer", "finalanswer", "answer", "submit", "respond", "stop", "done", "complete", "return",
    };

    /// <summary>Words that end an answer only when it was cut off.</summary>
    public static readonly HashSet<string> DanglingWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "but", "the", "a", "an", "of", "to", "with", "for", "in", "on", "that", "which", "because", "is", "are",
    };

    private static readonly SearchValues<string> ErrorWords = SearchValues.Create(["error", "exception", "fail", "false"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> LimitWords = SearchValues.Create(
        ["limit", "max", "context", "token", "too long", "exceed", "stopped", "budget", "within", "out of"], StringComparison.OrdinalIgnoreCase);

    private static readonly SearchValues<string> PersonWords = SearchValues.Create(
        ["human", "agent", "person", "representative", "specialist", "colleague", "supervisor", "manager", "team", "operator", "staff"],
        StringComparison.OrdinalIgnoreCase);

    /// <summary>Cheap pre-check before the limit patterns.</summary>
    public static bool MayMentionLimit(ReadOnlySpan<char> text) => text.ContainsAny(LimitWords);

    /// <summary>Cheap pre-check before the hand-off pattern.</summary>
    public static bool MayMentionPerson(ReadOnlySpan<char> text) => text.ContainsAny(PersonWords);

    /// <summary>Appends the text's words — runs of letters and digits, lower-cased, one space apart — to
    /// <paramref name="into"/>: the form in which runs' task texts and answers are compared. Returns the number of
    /// words, or -1 as soon as there are more than <paramref name="maxWords"/> (<paramref name="into"/> then holds the
    /// first <paramref name="maxWords"/>).</summary>
    public static int AppendNormalisedWords(System.Text.StringBuilder into, string text, int maxWords)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                {
                    if (++words > maxWords)
                    {
                        return -1;
                    }

                    if (words > 1)
                    {
                        into.Append(' ');
                    }
                }

                into.Append(char.ToLowerInvariant(c));
                inWord = true;
            }
            else
            {
                inWord = false;
            }
        }

        return words;
    }

    /// <summary>Number of whitespace-separated words, stopping early past <paramref name="cap"/>.</summary>
    public static int Words(ReadOnlySpan<char> text, int cap = int.MaxValue)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                if (++count > cap)
                {
                    return count;
                }
            }
        }

        return count;
    }

    /// <summary>The first <paramref name="max"/> characters (the head is where results state errors).</summary>
    public static string Head(string text, int max) => text.Length <= max ? text : text[..max];

    public static ReadOnlySpan<char> HeadSpan(string text, int max) => text.Length <= max ? text : text.AsSpan(0, max);

    /// <summary>The last <paramref name="max"/> characters.</summary>
    public static string Tail(string text, int max) => text.Length <= max ? text : text[^max..];
}
