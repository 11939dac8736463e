using System.Text.RegularExpressions;

namespace Whetstone.Redaction.Detectors;

/// <summary>Credentials whose shape needs more than a prefix: Slack tokens and webhooks, Azure AD client secrets,
/// JWTs, PEM/OpenSSH/PGP private keys, URLs with a password, HTTP Authorization values and bearer tokens,
/// <c>curl -u user:pass</c>, Telegram and Discord bot tokens, Facebook app tokens, Mailchimp keys, MaxMind licence
/// keys, 1Password secret keys, Terraform Cloud tokens and Microsoft Teams webhooks. Every pattern runs only when a
/// literal it needs occurs in the text, and every pattern is linear (bounded repetitions, no nested quantifiers).</summary>
internal sealed partial class StructuredSecretDetector : IDetector
{
    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture;

    // Case-insensitive cues as SearchValues: vectorized, unlike Contains(…, OrdinalIgnoreCase) in invariant mode.
    private static readonly System.Buffers.SearchValues<string> AuthorizationWord = System.Buffers.SearchValues.Create(["uthorization"], StringComparison.OrdinalIgnoreCase);
    private static readonly System.Buffers.SearchValues<string> DiscordWord = System.Buffers.SearchValues.Create(["iscord"], StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"(?<![A-Za-z0-9_])xox(?:b-[0-9]{8,14}-(?:[0-9]{8,14}-)?[A-Za-z0-9]{18,34}|[pe]-[0-9]{8,14}-[0-9]{8,14}-[0-9]{8,14}-[A-Za-z0-9]{28,64}|[aors]-(?:[0-9]-)?[0-9]{6,14}-[0-9]{6,14}-[0-9]{6,14}-[A-Za-z0-9]{10,64}|e\.xox[bp]-1-[A-Za-z0-9]{100,250}|e-1-[A-Za-z0-9]{100,250})(?![A-Za-z0-9_-])", Options)]
    private static partial Regex Slack();

    [GeneratedRegex(@"https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,200}", Options)]
    private static partial Regex SlackWebhook();

    [GeneratedRegex(@"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])", Options)]
    private static partial Regex AzureClientSecret();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])ey[A-Za-z0-9_-]{15,4096}\.ey[A-Za-z0-9_/\\-]{15,8192}\.(?:[A-Za-z0-9_/\\-]{8,2048}={0,2})?", Options)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----", Options)]
    private static partial Regex PemHeader();

    [GeneratedRegex(@"-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----", Options)]
    private static partial Regex PemFooter();

    /// <summary>A private key cut off before its END line (truncated logs): the BEGIN line and the base64 after it.</summary>
    [GeneratedRegex(@"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=:, \t\r\n-]|\\[nrt]){16,40000}", Options)]
    private static partial Regex PemKeyTruncated();

    [GeneratedRegex(@"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,24}://(?<cred>[^\s:@/?#'""<>]{0,128}:(?<pw>[^\s@/'""<>]{1,256}))@[A-Za-z0-9.\[\]_-]", Options)]
    private static partial Regex UrlCredentials();

    [GeneratedRegex(@"(?i)(?<![A-Za-z0-9_-])(?:proxy-)?authorization[""']?[ \t]{0,8}[:=][ \t]{0,8}[""']?[ \t]{0,8}(?:(?<scheme>bearer|basic|token|api-token|digest|negotiate|ntlm|apikey|api-key|sso-key|bot|hmac|jwt|key)[ \t]{1,8})?(?<v>[A-Za-z0-9._~+/=:@%!$*-]{8,4096})", Options)]
    private static partial Regex Authorization();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])[Bb]earer[ \t]{1,8}(?<v>[A-Za-z0-9._~+/-]{16,4096}=*)", Options)]
    private static partial Regex Bearer();

    [GeneratedRegex(@"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])", Options)]
    private static partial Regex Telegram();

    [GeneratedRegex(@"(?<![A-Za-z0-9_-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])", Options)]
    private static partial Regex DiscordBot();

    [GeneratedRegex(@"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,70}", Options)]
    private static partial Regex DiscordWebhook();

    [GeneratedRegex(@"(?<![0-9])[0-9]{15,16}(?:\||%7C)[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])", Options)]
    private static partial Regex FacebookAppToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[a-f0-9]{32}-us[0-9]{1,2}(?![A-Za-z0-9])", Options)]
    private static partial Regex Mailchimp();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9_])", Options)]
    private static partial Regex MaxMind();

    [GeneratedRegex(@"(?<![A-Za-z0-9])A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}(?![A-Za-z0-9])", Options)]
    private static partial Regex OnePasswordSecretKey();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}", Options)]
    private static partial Regex TerraformCloud();

    [GeneratedRegex(@"https://[a-z0-9-]{1,64}\.webhook\.office\.com/webhookb2/[A-Za-z0-9@/-]{60,300}", Options)]
    private static partial Regex TeamsWebhook();

    [GeneratedRegex(@"(?<![A-Za-z0-9])(?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20}(?![A-Za-z0-9])", Options)]
    private static partial Regex Harness();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:SK|AC)[0-9a-f]{32}(?![A-Za-z0-9_])", Options)]
    private static partial Regex Twilio();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:-u|--user)(?:=|[ \t]{1,5})", Options)]
    private static partial Regex CurlUserFlag();

    public void Detect(string text, ICollection<Finding> findings)
    {
        var span = text.AsSpan();
        var cues = PresentCues(span);
        if (Has(cues, Cue.Slack))
        {
            foreach (var m in Slack().EnumerateMatches(text))
            {
                var kind = text[m.Index + 3] switch
                {
                    'b' => "slack_bot_token",
                    'p' => "slack_user_token",
                    'e' => text[m.Index + 4] == '.' ? "slack_config_token" : text[m.Index + 5] == '1' && text[m.Index + 6] == '-' ? "slack_config_refresh_token" : "slack_user_token",
                    _ => "slack_legacy_token",
                };
                AddUnlessPlaceholder(text, m.Index, m.Length, kind, findings);
            }
        }

        if (Has(cues, Cue.SlackWebhook))
        {
            Add(SlackWebhook(), text, "slack_webhook_url", findings);
        }

        if (span.Contains("Q~", StringComparison.Ordinal))
        {
            foreach (var m in AzureClientSecret().EnumerateMatches(text))
            {
                AddUnlessPlaceholder(text, m.Index, m.Length, "azure_ad_client_secret", findings);
            }
        }

        if (Has(cues, Cue.Jwt))
        {
            Add(Jwt(), text, "jwt", findings);
        }

        if (Has(cues, Cue.Pem) && span.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            if (!PemKeys(text, findings))
            {
                Add(PemKeyTruncated(), text, "private_key", findings);
            }
        }

        if (Has(cues, Cue.Url) && span.Contains('@'))
        {
            foreach (Match m in UrlCredentials().Matches(text))
            {
                var pw = m.Groups["pw"].ValueSpan;
                if (!SecretText.IsReference(pw) && !SecretText.IsStandInWord(pw) && !SecretText.IsPlaceholder(pw))
                {
                    var cred = m.Groups["cred"];
                    findings.Add(new Finding(cred.Index, cred.Index + cred.Length, "url_credentials"));
                }
            }
        }

        if (span.IndexOfAny(AuthorizationWord) >= 0)
        {
            foreach (Match m in Authorization().Matches(text))
            {
                AddValue(m.Groups["v"], "authorization", findings);
            }
        }

        if (Has(cues, Cue.Bearer))
        {
            foreach (Match m in Bearer().Matches(text))
            {
                var v = m.Groups["v"].ValueSpan;
                if (v.IndexOfAny(AsciiRanges.Digits) >= 0 || v.IndexOfAny(AsciiRanges.Upper) >= 0 && v.IndexOfAny(AsciiRanges.Lower) >= 0)
                {
                    AddValue(m.Groups["v"], "bearer_token", findings);
                }
            }
        }

        if (Has(cues, Cue.Telegram))
        {
            Add(Telegram(), text, "telegram_bot_token", findings);
        }

        if (span.IndexOfAny(DiscordWord) >= 0)
        {
            Add(DiscordBot(), text, "discord_bot_token", findings);
            Add(DiscordWebhook(), text, "discord_webhook_url", findings);
        }

        if (Has(cues, Cue.EncodedBar) || span.Contains('|'))
        {
            Add(FacebookAppToken(), text, "facebook_app_token", findings);
        }

        if (Has(cues, Cue.Mailchimp))
        {
            Add(Mailchimp(), text, "mailchimp_api_key", findings);
        }

        if (Has(cues, Cue.MaxMind))
        {
            Add(MaxMind(), text, "maxmind_license_key", findings);
        }

        if (Has(cues, Cue.OnePassword))
        {
            foreach (var m in OnePasswordSecretKey().EnumerateMatches(text))
            {
                AddUnlessPlaceholder(text, m.Index, m.Length, "onepassword_secret_key", findings);
            }
        }

        if (Has(cues, Cue.Terraform))
        {
            Add(TerraformCloud(), text, "terraform_cloud_token", findings);
        }

        if (Has(cues, Cue.Teams))
        {
            Add(TeamsWebhook(), text, "teams_webhook_url", findings);
        }

        if (Has(cues, Cue.HarnessPat) || Has(cues, Cue.HarnessSat))
        {
            Add(Harness(), text, "harness_token", findings);
        }

        if (span.Contains("SK", StringComparison.Ordinal) || span.Contains("AC", StringComparison.Ordinal))
        {
            foreach (var m in Twilio().EnumerateMatches(text))
            {
                findings.Add(new Finding(m.Index, m.Index + m.Length, text[m.Index] == 'S' ? "twilio_api_key" : "twilio_account_sid"));
            }
        }

        if (Has(cues, Cue.Curl))
        {
            CurlUser(text, findings);
        }
    }

    /// <summary>The literals of three or more characters the patterns need, in <see cref="Cue"/> order: found
    /// together in one vectorized pass instead of one substring search each. (Two-character literals are searched on
    /// their own: a two-character search has no false candidates, while in a multi-string search they would make
    /// every search weaker.)</summary>
    private static readonly string[] CueWords =
    [
        "xox", "hooks.slack.com", ".ey", "-----BEGIN", "://", "earer", ":AA", "%7C", "-us", "_mmk", "A3-", ".atlasv1.",
        "webhook.office.com", "pat.", "sat.", "curl",
    ];

    private static readonly System.Buffers.SearchValues<string> Cues = System.Buffers.SearchValues.Create(CueWords, StringComparison.Ordinal);

    private enum Cue
    {
        Slack, SlackWebhook, Jwt, Pem, Url, Bearer, Telegram, EncodedBar, Mailchimp, MaxMind, OnePassword, Terraform, Teams,
        HarnessPat, HarnessSat, Curl,
    }

    private static bool Has(int cues, Cue cue) => (cues >> (int)cue & 1) != 0;

    /// <summary>A bit per <see cref="Cue"/> that occurs in the text.</summary>
    private static int PresentCues(ReadOnlySpan<char> text)
    {
        var bits = 0;
        var at = 0;
        int hit;
        while ((hit = text[at..].IndexOfAny(Cues)) >= 0)
        {
            at += hit;
            var rest = text[at..];
            for (var k = 0; k < CueWords.Length; k++)
            {
                if (rest.StartsWith(CueWords[k], StringComparison.Ordinal))
                {
                    bits |= 1 << k;
                }
            }

            at++;
        }

        return bits;
    }

    private static void Add(Regex regex, string text, string kind, ICollection<Finding> findings)
    {
        foreach (var m in regex.EnumerateMatches(text))
        {
            AddUnlessPlaceholder(text, m.Index, m.Length, kind, findings);
        }
    }

    private static void AddUnlessPlaceholder(string text, int index, int length, string kind, ICollection<Finding> findings)
    {
        if (!SecretText.IsPlaceholder(text.AsSpan(index, length)))
        {
            findings.Add(new Finding(index, index + length, kind));
        }
    }

    private static void AddValue(Group g, string kind, ICollection<Finding> findings)
    {
        var v = g.ValueSpan.TrimEnd("\"'.,;:)");
        if (v.Length < 8 || SecretText.IsReference(v) || SecretText.IsStandInWord(v) || SecretText.IsPlaceholder(v))
        {
            return;
        }

        findings.Add(new Finding(g.Index, g.Index + v.Length, kind));
    }

    /// <summary>Whole private keys: a BEGIN line, 16 to 40,000 characters, and the first END line after them — what
    /// the lazy pattern <c>BEGIN…[\s\S]{16,40000}?…END</c> matches, found without retrying that 40,000-character
    /// scan at every BEGIN line (a megabyte of BEGIN lines took 0.9 s that way). Headers inside a key already found
    /// are skipped. Returns whether any key was found.</summary>
    private static bool PemKeys(string text, ICollection<Finding> findings)
    {
        var footers = new List<(int Start, int End)>();
        foreach (var f in PemFooter().EnumerateMatches(text))
        {
            footers.Add((f.Index, f.Index + f.Length));
        }

        if (footers.Count == 0)
        {
            return false;
        }

        var any = false;
        var next = 0;
        var lastEnd = 0;
        foreach (var h in PemHeader().EnumerateMatches(text))
        {
            if (h.Index < lastEnd)
            {
                continue;
            }

            var bodyStart = h.Index + h.Length;
            while (next < footers.Count && footers[next].Start < bodyStart + 16)
            {
                next++;
            }

            if (next == footers.Count)
            {
                break;
            }

            if (footers[next].Start - bodyStart <= 40000)
            {
                findings.Add(new Finding(h.Index, footers[next].End, "private_key"));
                lastEnd = footers[next].End;
                any = true;
            }
        }

        return any;
    }

    /// <summary><c>curl -u user:password</c> / <c>--user 'user:password'</c> within the few lines after <c>curl</c>:
    /// the whole shell word is masked, unless the password part is a variable, a template or a stand-in word.</summary>
    private static void CurlUser(string text, ICollection<Finding> findings)
    {
        // Windows of nearby "curl"s overlap; each flag is examined once (the last one examined is lastFlag), and a
        // window is searched only from a little before where the previous one ended, so a line of "curl -u curl -u
        // …" costs linear time, not 250 flags for each of its "curl"s.
        var at = 0;
        var searched = 0;
        var lastFlag = -1;
        while ((at = text.IndexOf("curl", at, StringComparison.Ordinal)) >= 0)
        {
            var windowEnd = Math.Min(text.Length, at + 2000);
            var lines = 0;
            for (var k = at; k < windowEnd;)
            {
                var nl = text.AsSpan(k, windowEnd - k).IndexOf('\n');
                if (nl < 0)
                {
                    break;
                }

                if (++lines > 6)
                {
                    windowEnd = k + nl;
                    break;
                }

                k += nl + 1;
            }

            // One character before the search start, so that the flag's look-behind sees what precedes it.
            var from = Math.Max(at, searched - 16);
            var begin = from > 0 ? from - 1 : 0;
            searched = Math.Max(searched, windowEnd);
            var m = begin < windowEnd ? CurlUserFlag().Match(text, begin, windowEnd - begin) : Match.Empty;
            while (m.Success)
            {
                if (m.Index < from || m.Index <= lastFlag)
                {
                    m = m.NextMatch();
                    continue;
                }

                lastFlag = m.Index;
                var start = m.Index + m.Length;
                var end = ShellWordEnd(text, start);
                if (end > start)
                {
                    var word = Unquote(text.AsSpan(start, end - start));
                    var colon = word.IndexOf(':');
                    var ok = false;
                    if (colon >= 0 && !word.StartsWith('<') && !word.Contains("{{", StringComparison.Ordinal) && !word.Contains("${", StringComparison.Ordinal))
                    {
                        var user = word.AsSpan(0, colon).Trim("{}");
                        var pass = word.AsSpan(colon + 1).Trim("{}");
                        ok = pass.Length >= 3
                            ? !SecretText.IsReference(pass) && !SecretText.IsStandInWord(pass) && !SecretText.IsPlaceholder(pass)
                              && !pass.StartsWith("$", StringComparison.Ordinal) && !IsShortWord(pass)
                            : pass.Length == 0 && SecretText.LooksRandom(user, 8, 2.5);
                    }

                    if (ok)
                    {
                        findings.Add(new Finding(start, end, "basic_auth_credentials"));
                    }
                }

                m = m.NextMatch();
                if (m.Success && m.Index >= windowEnd)
                {
                    break;
                }
            }

            at += 4;
        }
    }

    private static bool IsShortWord(ReadOnlySpan<char> s)
    {
        if (s.Length > 8)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterLower(c))
            {
                return false;
            }
        }

        return true;
    }

    private static int ShellWordEnd(string text, int start)
    {
        var i = start;
        while (i < text.Length && i - start < 400)
        {
            var c = text[i];
            if (c is '"' or '\'')
            {
                var close = text.IndexOf(c, i + 1);
                if (close < 0 || text.AsSpan(i, close - i).Contains('\n'))
                {
                    return -1;
                }

                i = close + 1;
                continue;
            }

            if (char.IsWhiteSpace(c) || c is '\\' or ';' or '|' or '&' or ')')
            {
                break;
            }

            i++;
        }

        return i;
    }

    private static string Unquote(ReadOnlySpan<char> word)
    {
        var sb = new System.Text.StringBuilder(word.Length);
        foreach (var c in word)
        {
            if (c is not ('"' or '\''))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
