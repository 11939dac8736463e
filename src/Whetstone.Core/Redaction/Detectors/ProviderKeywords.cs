using System.Buffers;
using static Whetstone.Redaction.Detectors.SecretText;

namespace Whetstone.Redaction.Detectors;

/// <summary>A credential without a prefix of its own, recognised by the provider named in its key
/// (<c>DATADOG_API_KEY=…</c>, <c>"sourcegraph": "…"</c>) and by the shape of its value.</summary>
internal sealed record ProviderRule(string Kind, string Keyword, SearchValues<char> Body, int Min, int Max)
{
    /// <summary>Entropy the value needs when the key names only the provider, not a secret.</summary>
    public double MinEntropy { get; init; } = 3.0;
}

internal static class ProviderKeywords
{
    private static readonly SearchValues<char> Uuid = SearchValues.Create("0123456789abcdefABCDEF-");
    private static readonly SearchValues<char> Base64Body = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>Rules in priority order: for one keyword, the first whose shape fits wins.</summary>
    public static IReadOnlyList<ProviderRule> All { get; } =
    [
        new("aws_secret_key", "aws", Base64Body, 40, 40),
        new("aws_session_token", "aws", Base64Body, 100, 2000),
        new("azure_storage_key", "accountkey", Base64Body, 86, 88),
        new("azure_storage_key", "azure", Base64Body, 86, 88),
        new("azure_openai_key", "azure", Hex, 32, 32),
        new("azure_devops_pat", "azure", LowerDigits, 52, 52),
        new("azure_devops_pat", "ado", LowerDigits, 52, 52),
        new("adafruit_api_key", "adafruit", WordDash, 32, 32),
        new("adobe_client_id", "adobe", Hex, 32, 32),
        new("airtable_api_key", "airtable", Alnum, 17, 17),
        new("algolia_api_key", "algolia", Alnum, 32, 32),
        new("alibaba_secret_key", "alibaba", Alnum, 30, 30),
        new("asana_token", "asana", Alnum, 32, 64),
        new("atlassian_api_token", "atlassian", Alnum, 24, 24),
        new("atlassian_api_token", "confluence", Alnum, 24, 24),
        new("atlassian_api_token", "jira", Alnum, 24, 24),
        new("bitbucket_client_secret", "bitbucket", WordDashEq, 32, 64),
        new("bittrex_key", "bittrex", Alnum, 32, 32),
        new("cisco_meraki_api_key", "meraki", HexLower, 40, 40),
        new("cloudflare_api_token", "cloudflare", WordDash, 37, 40),
        new("codecov_token", "codecov", Uuid, 32, 36),
        new("cohere_api_key", "cohere", Alnum, 40, 40),
        new("cohere_api_key", "co_api_key", Alnum, 40, 40),
        new("coinbase_token", "coinbase", WordDash, 64, 64),
        new("confluent_key", "confluent", Alnum, 16, 64),
        new("contentful_token", "contentful", WordDashEq, 43, 43),
        new("datadog_api_key", "datadog", HexLower, 32, 40),
        new("datadog_api_key", "dd_api", HexLower, 32, 32),
        new("datadog_app_key", "dd_app", HexLower, 40, 40),
        new("discord_client_secret", "discord", WordDashEq, 32, 32),
        new("discord_api_token", "discord", HexLower, 64, 64),
        new("droneci_token", "drone", Alnum, 32, 32),
        new("dropbox_token", "dropbox", Alnum, 15, 15),
        new("dropbox_token", "dropbox", WordDashEq, 64, 64),
        new("etsy_token", "etsy", Alnum, 24, 24),
        new("facebook_secret", "facebook", HexLower, 32, 32),
        new("fastly_api_token", "fastly", WordDashEq, 32, 32),
        new("finicity_secret", "finicity", Alnum, 20, 32),
        new("finnhub_token", "finnhub", Alnum, 20, 20),
        new("flickr_token", "flickr", Alnum, 32, 32),
        new("freshbooks_token", "freshbooks", Alnum, 64, 64),
        new("gitter_token", "gitter", WordDash, 40, 40),
        new("gocardless_token", "gocardless", WordDashEq, 40, 50),
        new("heroku_api_key", "heroku", Uuid, 36, 36),
        new("hubspot_api_key", "hubspot", Uuid, 36, 36),
        new("intercom_token", "intercom", WordDashEq, 60, 60),
        new("jfrog_api_key", "jfrog", Alnum, 64, 73),
        new("jfrog_api_key", "artifactory", Alnum, 64, 73),
        new("kraken_token", "kraken", Base64Url, 80, 90),
        new("kucoin_key", "kucoin", Uuid, 24, 36),
        new("launchdarkly_token", "launchdarkly", WordDashEq, 40, 40),
        new("linear_client_secret", "linear", HexLower, 32, 32),
        new("linkedin_client_secret", "linkedin", Alnum, 14, 16),
        new("lob_api_key", "lob", WordDash, 35, 45),
        new("looker_secret", "looker", Alnum, 20, 24),
        new("mailgun_signing_key", "mailgun", WordDash, 32, 50),
        new("mapbox_token", "mapbox", WordDashDot, 80, 200),
        new("mattermost_token", "mattermost", Alnum, 26, 26),
        new("messagebird_token", "messagebird", Alnum, 25, 25),
        new("messagebird_token", "messagebird", Uuid, 36, 36),
        new("messagebird_token", "message_bird", Uuid, 36, 36),
        new("mistral_api_key", "mistral", Alnum, 32, 32),
        new("netlify_token", "netlify", WordDashEq, 40, 46),
        new("new_relic_key", "newrelic", WordDash, 32, 64),
        new("new_relic_key", "new_relic", WordDash, 32, 64),
        new("nytimes_token", "nytimes", WordDashEq, 32, 32),
        new("okta_token", "okta", WordDash, 42, 42),
        new("plaid_secret", "plaid", HexLower, 30, 30),
        new("postmark_token", "postmark", Uuid, 36, 36),
        new("rapidapi_key", "rapidapi", WordDash, 50, 50),
        new("sendbird_token", "sendbird", HexLower, 40, 40),
        new("sentry_dsn_key", "sentry", HexLower, 32, 32),
        new("snyk_token", "snyk", Uuid, 36, 36),
        new("sonar_token", "sonar", Alnum, 40, 40),
        new("sourcegraph_token", "sourcegraph", Hex, 40, 40),
        new("sumologic_access_id", "sumo", Alnum, 14, 14),
        new("sumologic_access_id", "sumologic", Alnum, 14, 14),
        new("sumologic_access_key", "sumologic", Alnum, 64, 64),
        new("sumologic_access_key", "sumo", Alnum, 64, 64),
        new("travisci_token", "travis", Alnum, 22, 22),
        new("trello_token", "trello", Alnum, 32, 64),
        new("twitch_token", "twitch", Alnum, 30, 30),
        new("twitter_token", "twitter", Base64Url, 25, 120),
        new("typeform_token", "typeform", WordDashDot, 40, 70),
        new("wandb_api_key", "wandb", HexLower, 40, 40),
        new("zendesk_token", "zendesk", Alnum, 40, 40),
        new("together_api_key", "together", HexLower, 64, 64),
        new("mongodb_atlas_key", "atlas", Uuid, 36, 36),
        new("vault_token", "vault", WordDashDot, 24, 120),
        new("privateai_token", "privateai", Alnum, 32, 32),
        new("sidekiq_secret", "contribsys", HexDigitColon, 17, 17) { MinEntropy = 2.0 },
        new("square_access_token", "square", WordDash, 22, 64),
        new("shopify_token", "shopify", WordDash, 32, 38),
        new("twilio_auth_token", "twilio", HexLower, 32, 32),
        new("sendgrid_api_key", "sendgrid", WordDashDot, 60, 70),
        new("telegram_bot_token", "telegram", WordDashColon, 44, 48),
        new("stripe_key", "stripe", WordDash, 24, 120),
        new("openai_api_key", "openai", WordDash, 40, 200),
        new("anthropic_api_key", "anthropic", WordDash, 40, 200),
        new("gemini_api_key", "gemini", WordDash, 39, 39),
        new("huggingface_token", "huggingface", Letters, 37, 37),
    ];

    private static SearchValues<char> HexDigitColon => SearchValues.Create("0123456789abcdefABCDEF:");

    private static SearchValues<char> WordDashColon => SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:");
}
