using static Whetstone.Redaction.Detectors.SecretText;

namespace Whetstone.Redaction.Detectors;

/// <summary>Credential formats recognisable by their prefix. Written from the providers' published token formats
/// (prefix, alphabet, length); each kind name is stable and becomes the placeholder (<c>&lt;GITHUB_PAT_1&gt;</c>).</summary>
internal static class TokenRules
{
    private static readonly System.Buffers.SearchValues<char> WordDollar =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_$");

    public static IReadOnlyList<TokenRule> All { get; } = Build();

    private static List<TokenRule> Build()
    {
        var r = new List<TokenRule>();

        // Cloud providers
        foreach (var p in new[] { "AKIA", "ASIA", "ABIA", "ACCA" })
        {
            r.Add(new("aws_access_key", p, Base32Upper, 16, 16));
        }

        r.Add(new("aws_access_key", "A3T", UpperDigits, 17, 17));
        r.Add(new("aws_bedrock_api_key", "ABSK", Base64, 109, 272));
        // Short-lived Bedrock keys are "bedrock-api-key-" + base64 of a presigned "bedrock.amazonaws.com/…" URL.
        r.Add(new("aws_bedrock_api_key", "bedrock-api-key-", Base64, 28, 2048) { Open = true, BodyPrefix = "YmVkcm9jay5hbWF6b25hd3MuY29t" });
        r.Add(new("gcp_api_key", "AIza", WordDash, 35, 35));
        r.Add(new("gcp_oauth_client_secret", "GOCSPX-", WordDash, 28, 28));
        r.Add(new("google_oauth_access_token", "ya29.", WordDash, 30, 2048) { Open = true, NeedsDigit = true });
        r.Add(new("google_oauth_refresh_token", "1//0", WordDash, 40, 512) { Open = true });
        r.Add(new("alibaba_access_key", "LTAI", Alnum, 20, 20));
        r.Add(new("yandex_api_key", "AQVN", WordDash, 35, 38));
        r.Add(new("yandex_access_token", "t1.", WordDashDot, 60, 512) { NeedsDigit = true });
        r.Add(new("digitalocean_access_token", "doo_v1_", HexLower, 64, 64));
        r.Add(new("digitalocean_pat", "dop_v1_", HexLower, 64, 64));
        r.Add(new("digitalocean_refresh_token", "dor_v1_", HexLower, 64, 64));
        r.Add(new("flyio_token", "fo1_", WordDash, 43, 43));
        r.Add(new("flyio_token", "fm1a_", Base64, 100, 4096) { Open = true });
        r.Add(new("flyio_token", "fm1r_", Base64, 100, 4096) { Open = true });
        r.Add(new("flyio_token", "fm2_", Base64, 100, 4096) { Open = true });
        r.Add(new("heroku_api_key", "HRKU-AA", WordDash, 58, 58));
        r.Add(new("render_api_key", "rnd_", Alnum, 32, 32));
        r.Add(new("netlify_token", "nfp_", Alnum, 36, 36));
        r.Add(new("supabase_token", "sbp_", HexLower, 40, 40));
        r.Add(new("supabase_secret_key", "sb_secret_", WordDash, 31, 64));
        r.Add(new("cloudflare_origin_ca_key", "v1.0-", WordDash, 170, 172));
        r.Add(new("scalingo_token", "tk-us-", WordDash, 48, 48));
        r.Add(new("clickhouse_secret_key", "4b1d", Alnum, 38, 38));
        r.Add(new("databricks_token", "dapi", HexLower, 32, 32));
        r.Add(new("databricks_token", "dapi", WordDash, 34, 34) { NeedsDigit = true });
        r.Add(new("dynatrace_token", "dt0c01.", WordDashDot, 89, 89));
        r.Add(new("pulumi_token", "pul-", HexLower, 40, 40));
        r.Add(new("planetscale_token", "pscale_tkn_", WordDashDot, 32, 64));
        r.Add(new("planetscale_password", "pscale_pw_", WordDashDot, 32, 64));
        r.Add(new("planetscale_oauth_token", "pscale_oauth_", WordDashDot, 32, 64));
        r.Add(new("hashicorp_vault_token", "hvs.", WordDash, 90, 120));
        r.Add(new("hashicorp_vault_batch_token", "hvb.", WordDash, 138, 300));
        r.Add(new("doppler_token", "dp.pt.", Alnum, 43, 43));
        r.Add(new("doppler_token", "dp.st.", WordDashDot, 40, 80));
        r.Add(new("doppler_token", "dp.sa.", Alnum, 40, 80));
        r.Add(new("doppler_token", "dp.ct.", Alnum, 40, 80));
        r.Add(new("openshift_token", "sha256~", WordDash, 43, 43));
        r.Add(new("age_secret_key", "AGE-SECRET-KEY-1", UpperDigits, 58, 58) { Repetitive = true });
        r.Add(new("onepassword_service_account_token", "ops_eyJ", Base64, 250, 8192) { Open = true });

        // Source hosting, CI, package registries
        foreach (var p in new[] { "ghp_", "gho_", "ghu_", "ghs_", "ghr_" })
        {
            r.Add(new(p switch
            {
                "ghp_" => "github_pat",
                "gho_" => "github_oauth_token",
                "ghr_" => "github_refresh_token",
                _ => "github_app_token",
            }, p, Alnum, 36, 36));
        }

        r.Add(new("github_fine_grained_pat", "github_pat_", Word, 82, 82));
        r.Add(new("gitlab_pat", "glpat-", WordDash, 20, 20));
        r.Add(new("gitlab_pat", "glpat-", WordDashDot, 36, 320));
        r.Add(new("gitlab_pipeline_trigger_token", "glptt-", HexLower, 40, 40));
        r.Add(new("gitlab_runner_token", "glrt-", WordDashDot, 20, 320));
        r.Add(new("gitlab_runner_registration_token", "GR1348941", WordDash, 20, 20));
        r.Add(new("gitlab_deploy_token", "gldt-", WordDash, 20, 20));
        r.Add(new("gitlab_feed_token", "glft-", WordDash, 20, 20));
        r.Add(new("gitlab_incoming_mail_token", "glimt-", WordDash, 25, 25));
        r.Add(new("gitlab_agent_token", "glagent-", WordDash, 50, 50));
        r.Add(new("gitlab_oauth_secret", "gloas-", WordDash, 64, 64));
        r.Add(new("gitlab_scim_token", "glsoat-", WordDash, 20, 20));
        r.Add(new("gitlab_feature_flag_token", "glffct-", WordDash, 20, 20));
        r.Add(new("gitlab_ci_job_token", "glcbt-", WordDash, 22, 30));
        r.Add(new("bitbucket_token", "ATBB", WordDashEq, 32, 128) { NeedsDigit = true });
        r.Add(new("atlassian_api_token", "ATATT3", WordDashEq, 180, 200));
        r.Add(new("npm_token", "npm_", Alnum, 36, 36));
        r.Add(new("pypi_token", "pypi-AgEIcHlwaS5vcmc", WordDash, 50, 512) { Open = true });
        r.Add(new("rubygems_token", "rubygems_", HexLower, 48, 48));
        r.Add(new("nuget_api_key", "oy2", LowerDigits, 43, 43));
        r.Add(new("clojars_token", "CLOJARS_", LowerDigits, 60, 60));
        r.Add(new("dockerhub_pat", "dckr_pat_", WordDash, 27, 27));
        r.Add(new("buildkite_token", "bkua_", HexLower, 40, 40));
        r.Add(new("circleci_token", "CCIPAT_", WordDash, 40, 80));
        r.Add(new("artifactory_api_key", "AKCp", Alnum, 69, 69));
        r.Add(new("artifactory_reference_token", "cmVmd", Alnum, 59, 59));
        r.Add(new("sonar_token", "squ_", Alnum, 40, 40));
        r.Add(new("sonar_token", "sqp_", Alnum, 40, 40));
        r.Add(new("sonar_token", "sqa_", Alnum, 40, 40));
        r.Add(new("sourcegraph_token", "sgp_local_", Hex, 40, 40));
        r.Add(new("sourcegraph_token", "sgp_", Hex, 40, 40));
        r.Add(new("sourcegraph_token", "sgp_", WordDash, 57, 57));
        r.Add(new("octopus_deploy_api_key", "API-", UpperDigits, 26, 26) { NeedsDigit = true });
        r.Add(new("infracost_token", "ico-", Alnum, 32, 32));
        r.Add(new("snyk_token", "snyk_", WordDash, 32, 80) { NeedsDigit = true });
        r.Add(new("prefect_token", "pnu_", Alnum, 36, 36));
        r.Add(new("readme_api_key", "rdme_", LowerDigits, 70, 70));
        r.Add(new("postman_api_key", "PMAK-", WordDash, 59, 59));
        r.Add(new("typeform_token", "tfp_", WordDashDot, 59, 59));
        r.Add(new("figma_token", "figd_", WordDash, 40, 40));
        r.Add(new("linear_api_key", "lin_api_", Alnum, 40, 40));
        r.Add(new("frameio_token", "fio-u-", WordDashEq, 64, 64));
        r.Add(new("contentful_pat", "CFPAT-", WordDash, 43, 43));
        r.Add(new("harness_token", "pat.", WordDashDot, 60, 80) { NeedsDigit = true });
        r.Add(new("intra42_client_secret", "s-s4t2ud-", HexLower, 64, 64));
        r.Add(new("intra42_client_secret", "s-s4t2af-", HexLower, 64, 64));
        r.Add(new("settlemint_token", "sm_pat_", Alnum, 16, 16));
        r.Add(new("settlemint_token", "sm_aat_", Alnum, 16, 16));
        r.Add(new("settlemint_token", "sm_sat_", Alnum, 16, 16));

        // AI providers
        r.Add(new("openai_api_key", "sk-proj-", WordDash, 40, 400));
        r.Add(new("openai_api_key", "sk-svcacct-", WordDash, 40, 400));
        r.Add(new("openai_api_key", "sk-admin-", WordDash, 40, 400));
        r.Add(new("openai_api_key", "sk-None-", WordDash, 40, 400));
        r.Add(new("openai_api_key", "sk-", Alnum, 32, 64) { NeedsDigit = true });
        r.Add(new("openrouter_api_key", "sk-or-v1-", HexLower, 64, 64));
        r.Add(new("anthropic_api_key", "sk-ant-api03-", WordDash, 95, 95) { Suffix = "AA" });
        r.Add(new("anthropic_admin_key", "sk-ant-admin01-", WordDash, 95, 95) { Suffix = "AA" });
        r.Add(new("anthropic_oauth_token", "sk-ant-oat01-", WordDash, 80, 120));
        r.Add(new("huggingface_token", "hf_", Letters, 34, 34));
        r.Add(new("huggingface_org_token", "api_org_", Letters, 34, 34));
        r.Add(new("perplexity_api_key", "pplx-", Alnum, 48, 48));
        r.Add(new("groq_api_key", "gsk_", Alnum, 52, 52));
        r.Add(new("xai_api_key", "xai-", Alnum, 80, 80));
        r.Add(new("replicate_token", "r8_", Alnum, 37, 37));
        r.Add(new("tavily_api_key", "tvly-", WordDash, 32, 64) { NeedsDigit = true });
        r.Add(new("langsmith_api_key", "lsv2_pt_", Word, 43, 43));
        r.Add(new("langsmith_api_key", "lsv2_sk_", Word, 43, 43));
        r.Add(new("pinecone_api_key", "pcsk_", Word, 50, 120));
        r.Add(new("deepgram_api_key", "dg_", Alnum, 40, 40) { NeedsDigit = true });
        r.Add(new("elevenlabs_api_key", "sk_", HexLower, 48, 48));

        // Payments and commerce
        foreach (var p in new[] { "sk_live_", "sk_test_", "rk_live_", "rk_test_", "rk_prod_", "sk_prod_" })
        {
            r.Add(new(p.StartsWith("rk", StringComparison.Ordinal) ? "stripe_restricted_key" : "stripe_secret_key", p, Alnum, 20, 247));
        }

        r.Add(new("stripe_webhook_secret", "whsec_", Base64, 32, 64));
        r.Add(new("square_access_token", "sq0atp-", WordDash, 22, 22));
        r.Add(new("square_secret", "sq0csp-", WordDash, 43, 43));
        r.Add(new("square_access_token", "EAAA", WordDash, 60, 60));
        r.Add(new("shopify_access_token", "shpat_", Hex, 32, 32));
        r.Add(new("shopify_custom_app_token", "shpca_", Hex, 32, 32));
        r.Add(new("shopify_private_app_token", "shppa_", Hex, 32, 32));
        r.Add(new("shopify_shared_secret", "shpss_", Hex, 32, 32));
        r.Add(new("flutterwave_secret_key", "FLWSECK_TEST-", Hex, 32, 34));
        r.Add(new("flutterwave_secret_key", "FLWSECK-", Hex, 32, 34));
        r.Add(new("flutterwave_encryption_key", "FLWSECK_TEST", Hex, 12, 12));
        r.Add(new("duffel_token", "duffel_test_", WordDashEq, 43, 43));
        r.Add(new("duffel_token", "duffel_live_", WordDashEq, 43, 43));
        r.Add(new("easypost_api_key", "EZAK", Alnum, 54, 54));
        r.Add(new("easypost_test_api_key", "EZTK", Alnum, 54, 54));
        r.Add(new("shippo_token", "shippo_live_", HexLower, 40, 40));
        r.Add(new("shippo_token", "shippo_test_", HexLower, 40, 40));
        r.Add(new("adobe_client_secret", "p8e-", Alnum, 32, 32));
        r.Add(new("plaid_access_token", "access-sandbox-", WordDash, 36, 36));
        r.Add(new("plaid_access_token", "access-development-", WordDash, 36, 36));
        r.Add(new("plaid_access_token", "access-production-", WordDash, 36, 36));
        r.Add(new("braintree_access_token", "access_token$production$", Word, 50, 60) { Body = WordDollar });
        r.Add(new("braintree_access_token", "access_token$sandbox$", Word, 50, 60) { Body = WordDollar });

        // Messaging, mail, collaboration
        r.Add(new("slack_app_token", "xapp-", WordDash, 60, 160) { NeedsDigit = true });
        r.Add(new("sendinblue_api_key", "xkeysib-", WordDash, 81, 81));
        r.Add(new("mailgun_api_key", "key-", HexLower, 32, 32));
        r.Add(new("mailgun_public_key", "pubkey-", HexLower, 32, 32));
        r.Add(new("notion_token", "ntn_", Alnum, 46, 46) { NeedsDigit = true });
        r.Add(new("notion_token", "secret_", Alnum, 43, 43) { NeedsDigit = true });
        r.Add(new("clickup_token", "pk_", WordDash, 40, 50) { NeedsDigit = true });
        r.Add(new("new_relic_user_api_key", "NRAK-", UpperDigits, 27, 27));
        r.Add(new("new_relic_insert_key", "NRII-", WordDash, 32, 32));
        r.Add(new("new_relic_browser_token", "NRJS-", HexLower, 19, 19));
        r.Add(new("sentry_org_token", "sntrys_eyJ", Base64Url, 60, 800) { Open = true });
        r.Add(new("sentry_user_token", "sntryu_", HexLower, 64, 64));
        r.Add(new("grafana_cloud_token", "glc_", Base64, 32, 400));
        r.Add(new("grafana_service_account_token", "glsa_", Word, 41, 41));
        r.Add(new("grafana_api_key", "eyJrIjoi", Base64, 70, 400));
        r.Add(new("mapbox_secret_token", "sk.eyJ", WordDashDot, 80, 400));
        r.Add(new("dropbox_token", "sl.", WordDashEq, 130, 1400) { Open = true });
        r.Add(new("firebase_cloud_messaging_key", "AAAA", WordDash, 148, 148) { NeedsDigit = true });
        r.Add(new("sendgrid_api_key", "SG.", WordDashDot, 66, 66));
        r.Add(new("mailchimp_transactional_key", "md-", WordDash, 22, 22) { NeedsDigit = true });
        r.Add(new("facebook_access_token", "EAAM", Alnum, 100, 2048) { Open = true });
        r.Add(new("facebook_access_token", "EAAC", Alnum, 100, 2048) { Open = true });
        r.Add(new("facebook_access_token", "EAAG", Alnum, 100, 2048) { Open = true });
        r.Add(new("gitter_token", "gitter_", WordDash, 40, 40));
        return r;
    }
}
