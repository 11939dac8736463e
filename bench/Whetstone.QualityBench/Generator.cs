using System.Globalization;
using System.Text;
using System.Text.Json;
using Whetstone.Trajectories;

namespace Whetstone.Bench;

/// <summary>Synthetic support-agent runs of the same shape as ../shared/tools/gen_trajectories.py (system prompt,
/// a customer's request with a customer id and 40 random words, 2–6 calls of search_orders / refund_order /
/// send_email with JSON results, a final answer; the three tools with JSON-schema parameters; a reported
/// completed outcome), made in process so the benchmarks measure the quality stage and not a JSON reader.
/// <paramref name="duplicateShare"/> of the runs repeat an earlier run's request and calls with one word changed
/// (planted near-duplicates).</summary>
internal sealed class Generator(int seed, double duplicateShare = 0.0)
{
    private static readonly string[] Words = ("order refund customer shipping delayed package invoice account update address payment card " +
        "replacement warehouse tracking weekend priority courier label return policy").Split(' ');

    private static readonly IReadOnlyList<ToolSpec> Tools =
    [
        Tool("search_orders", "Find a customer's orders", """{"type":"object","properties":{"customer_id":{"type":"string"},"status":{"type":"string"}},"required":["customer_id"]}"""),
        Tool("refund_order", "Refund an order", """{"type":"object","properties":{"order_id":{"type":"string"},"amount":{"type":"number"}},"required":["order_id","amount"]}"""),
        Tool("send_email", "Send an email", """{"type":"object","properties":{"to":{"type":"string"},"subject":{"type":"string"},"body":{"type":"string"}},"required":["to","body"]}"""),
    ];

    private static readonly string[] Names = ["search_orders", "refund_order", "send_email"];
    private readonly Random _r = new(seed);
    private readonly List<Trajectory> _recent = [];

    public int Planted { get; private set; }

    public Trajectory Next(int i)
    {
        if (_recent.Count > 0 && _r.NextDouble() < duplicateShare)
        {
            var original = _recent[_r.Next(_recent.Count)];
            Planted++;
            var messages = original.Messages.ToList();
            var user = messages[1];
            messages[1] = user with { Content = user.Content + " " + Words[_r.Next(Words.Length)] };
            return original with { Id = $"gen-{i:D8}", Messages = messages, Task = messages[1].Content };
        }

        var t = Fresh(i);
        if (_recent.Count < 1000)
        {
            _recent.Add(t);
        }
        else
        {
            _recent[_r.Next(_recent.Count)] = t;
        }

        return t;
    }

    private Trajectory Fresh(int i)
    {
        var customer = "C" + Digits(6);
        var order = "O" + Digits(8);
        var messages = new List<Message>
        {
            new() { Role = Role.System, Content = "You are a support agent. " + Sentence(60) },
            new() { Role = Role.User, Content = $"Hi, my order for {customer} never arrived. " + Sentence(40) },
        };
        var calls = _r.Next(2, 7);
        for (var k = 0; k < calls; k++)
        {
            var name = Names[k % 3];
            var args = name switch
            {
                "search_orders" => $$"""{"customer_id": "{{customer}}", "status": "open"}""",
                "refund_order" => $$"""{"order_id": "{{order}}", "amount": {{(5 + _r.NextDouble() * 495).ToString("0.00", CultureInfo.InvariantCulture)}}}""",
                _ => $$"""{"to": "{{customer.ToLowerInvariant()}}@customers.example", "subject": "Your refund", "body": "{{Sentence(30)}}"}""",
            };
            var id = $"call_{i}_{k}";
            messages.Add(new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = id, Name = name, Arguments = Json(args) }] });
            messages.Add(new Message { Role = Role.Tool, ToolCallId = id, Name = name, Content = $$"""{"ok": true, "order_id": "{{order}}", "detail": "{{Sentence(50)}}"}""" });
        }

        messages.Add(new Message { Role = Role.Assistant, Content = $"I refunded order {order}. " + Sentence(40) });
        return new Trajectory
        {
            Id = $"gen-{i:D8}",
            Task = messages[1].Content,
            Model = new ModelInfo { Name = "support-model" },
            Messages = messages,
            Tools = Tools,
            Outcome = new Outcome { Status = OutcomeStatus.Completed, GoalsMet = true, Delivered = true },
        };
    }

    private string Sentence(int n)
    {
        var sb = new StringBuilder();
        for (var k = 0; k < n; k++)
        {
            if (k > 0)
            {
                sb.Append(' ');
            }

            sb.Append(Words[_r.Next(Words.Length)]);
        }

        return sb.ToString();
    }

    private string Digits(int n)
    {
        var sb = new StringBuilder(n);
        for (var k = 0; k < n; k++)
        {
            sb.Append((char)('0' + _r.Next(10)));
        }

        return sb.ToString();
    }

    private static ToolSpec Tool(string name, string description, string schema) =>
        new() { Name = name, Description = description, Parameters = Json(schema) };

    private static JsonElement Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
