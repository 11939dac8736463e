using System.Collections.Frozen;
using Whetstone.Redaction.Detectors;

namespace Whetstone.Redaction;

/// <summary>The detector sets Whetstone ships and the kinds they report.</summary>
public static class DetectorSet
{
    /// <summary>Changes whenever a detector changes what it finds; stored in every <see cref="RedactionReport"/>.</summary>
    public const string Version = "4";

    /// <summary>Kinds of personal data (everything else is a secret).</summary>
    public static readonly FrozenSet<string> PiiKinds = new[]
    {
        EmailDetector.Kind, PhoneDetector.Kind, PaymentCardDetector.Kind, IbanDetector.Kind, SsnDetector.Kind,
        IpAddressDetector.V4, IpAddressDetector.V6, MacAddressDetector.Kind, CryptoWalletDetector.Kind,
        DateOfBirthDetector.Kind, StreetAddressDetector.Kind, PersonNameDetector.Kind, AssignmentDetector.UsernameKind,
        "identifier",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every kind a detector of the default set can report.</summary>
    public static readonly FrozenSet<string> AllKinds = TokenRules.All.Select(r => r.Kind)
        .Concat(ProviderKeywords.All.Select(r => r.Kind))
        .Concat(PiiKinds)
        .Concat(
        [
            AssignmentDetector.PasswordKind, AssignmentDetector.SecretKind, "slack_bot_token", "slack_user_token",
            "slack_legacy_token", "slack_config_token", "slack_config_refresh_token", "slack_webhook_url",
            "azure_ad_client_secret", "jwt", "private_key", "url_credentials", "authorization", "bearer_token",
            "telegram_bot_token", "discord_bot_token", "discord_webhook_url", "facebook_app_token", "mailchimp_api_key",
            "maxmind_license_key", "onepassword_secret_key", "terraform_cloud_token", "teams_webhook_url", "harness_token",
            "basic_auth_credentials", "twilio_api_key", "twilio_account_sid",
        ])
        .ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Kinds that are credentials (the complement of <see cref="PiiKinds"/>).</summary>
    public static IEnumerable<string> SecretKinds => AllKinds.Where(k => !PiiKinds.Contains(k));

    public static bool IsPii(string kind) => PiiKinds.Contains(kind);

    /// <summary>All detectors, secrets first (an earlier detector wins a tie between equal spans).</summary>
    public static IReadOnlyList<IDetector> Default() =>
    [
        new PrefixedTokenDetector(TokenRules.All),
        new StructuredSecretDetector(),
        new AssignmentDetector(),
        new EmailDetector(),
        new PhoneDetector(),
        new PaymentCardDetector(),
        new IbanDetector(),
        new SsnDetector(),
        new IpAddressDetector(),
        new MacAddressDetector(),
        new CryptoWalletDetector(),
        new DateOfBirthDetector(),
        new StreetAddressDetector(),
        new PersonNameDetector(),
    ];

    /// <summary>Only the secret detectors (for measuring them apart from PII).</summary>
    public static IReadOnlyList<IDetector> SecretsOnly() =>
    [
        new PrefixedTokenDetector(TokenRules.All),
        new StructuredSecretDetector(),
        new AssignmentDetector(),
    ];
}
