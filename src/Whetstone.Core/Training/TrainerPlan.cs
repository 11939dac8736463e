using System.Globalization;
using System.Text;
using System.Text.Json;
using Whetstone.Datasets.Export;

namespace Whetstone.Training;

/// <summary>Default hyperparameters per trainer and method, in each trainer's own names.</summary>
public static class TrainerDefaults
{
    public static SortedDictionary<string, JsonElement> For(string trainer, string method)
    {
        var lora = method == "lora";
        var d = new SortedDictionary<string, JsonElement>(StringComparer.Ordinal);
        void Set(string key, object value) => d[key] = value switch
        {
            string s => JsonSerializer.SerializeToElement(s, WhetstoneJson.Compact.String),
            _ => JsonDocument.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!).RootElement.Clone(),
        };

        switch (trainer)
        {
            case "trl":
                Set("learning_rate", lora ? 2e-4 : 1e-5);
                Set("num_train_epochs", 3);
                Set("per_device_train_batch_size", 2);
                Set("gradient_accumulation_steps", 8);
                Set("max_length", 4096);
                Set("lr_scheduler_type", "cosine");
                Set("warmup_ratio", 0.03);
                if (lora)
                {
                    Set("lora_r", 16);
                    Set("lora_alpha", 32);
                    Set("lora_dropout", 0.05);
                }

                break;
            case "axolotl":
                Set("learning_rate", lora ? 2e-4 : 1e-5);
                Set("num_epochs", 3);
                Set("micro_batch_size", 2);
                Set("gradient_accumulation_steps", 8);
                Set("sequence_len", 4096);
                Set("optimizer", "adamw_torch");
                Set("lr_scheduler", "cosine");
                Set("warmup_ratio", 0.03);
                if (lora)
                {
                    Set("adapter", "lora");
                    Set("lora_r", 16);
                    Set("lora_alpha", 32);
                    Set("lora_dropout", 0.05);
                    Set("lora_target_linear", "true");
                }

                break;
            case "llamafactory":
                Set("learning_rate", lora ? 1e-4 : 1e-5);
                Set("num_train_epochs", 3.0);
                Set("per_device_train_batch_size", 2);
                Set("gradient_accumulation_steps", 8);
                Set("cutoff_len", 4096);
                Set("lr_scheduler_type", "cosine");
                Set("warmup_ratio", 0.03);
                if (lora)
                {
                    Set("lora_rank", 16);
                    Set("lora_alpha", 32);
                    Set("lora_target", "all");
                }

                break;
            case "openai":
                Set("n_epochs", 3);
                Set("batch_size", "auto");
                Set("learning_rate_multiplier", "auto");
                break;
        }

        return d;
    }
}

/// <summary>The trainer-specific part of a job: its command line or API request, and the config files it reads.</summary>
internal sealed record TrainerPlan(IReadOnlyList<string>? Command, JsonElement? ApiRequest, IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Notes)
{
    public static TrainerPlan Build(string trainer, string baseModel, string method, IReadOnlyDictionary<string, JsonElement> hyper,
        ExportResult export, string folder, string output, string manifestPath)
    {
        var train = export.Files["train"].Path;
        var validation = export.Files.TryGetValue("validation", out var v) && v.Examples > 0 ? v.Path : null;
        var data = export.Folder;
        switch (trainer)
        {
            case "trl":
            {
                var argv = new List<string>
                {
                    "trl", "sft", "--model_name_or_path", baseModel, "--dataset_name", data,
                    "--dataset_train_split", "train", "--output_dir", output,
                };
                if (validation is not null)
                {
                    argv.AddRange(["--dataset_test_split", "validation", "--eval_strategy", "epoch"]);
                }

                foreach (var (key, value) in hyper)
                {
                    argv.Add("--" + key);
                    argv.Add(Text(value));
                }

                if (method == "lora")
                {
                    argv.AddRange(["--use_peft", "--lora_target_modules", "all-linear"]);
                }

                return new TrainerPlan(argv, null, new Dictionary<string, string>(),
                    ["TRL reads data/train.jsonl and data/validation.jsonl (messages + tools, arguments as objects) with the model's own chat template."]);
            }

            case "axolotl":
            {
                var yaml = AxolotlConfig.Render(baseModel, train, validation, output, hyper);
                return new TrainerPlan(["axolotl", "train", Path.Combine(folder, "axolotl.yaml")], null,
                    new Dictionary<string, string> { ["axolotl.yaml"] = yaml },
                    ["axolotl learns only assistant messages whose \"train\" flag is true (the quality stage's turn weights)."]);
            }

            case "llamafactory":
            {
                var sb = new StringBuilder();
                sb.AppendLine("# Written by Whetstone for llamafactory-cli train.");
                sb.AppendLine("model_name_or_path: " + AxolotlConfig.YamlScalar(baseModel));
                sb.AppendLine("stage: sft");
                sb.AppendLine("do_train: true");
                sb.AppendLine("finetuning_type: " + (method == "lora" ? "lora" : "full"));
                sb.AppendLine("dataset_dir: " + AxolotlConfig.YamlScalar(data));
                sb.AppendLine("dataset: " + ShareGptExporter.DatasetName(Datasets.Split.Train));
                if (validation is not null)
                {
                    sb.AppendLine("eval_dataset: " + ShareGptExporter.DatasetName(Datasets.Split.Validation));
                    sb.AppendLine("eval_strategy: epoch");
                }

                sb.AppendLine("template: " + AxolotlConfig.YamlScalar(hyper.TryGetValue("template", out var t) ? Text(t) : GuessTemplate(baseModel)));
                sb.AppendLine("output_dir: " + AxolotlConfig.YamlScalar(output));
                foreach (var (key, value) in hyper.Where(kv => kv.Key != "template"))
                {
                    sb.AppendLine(key + ": " + (value.ValueKind == JsonValueKind.String ? AxolotlConfig.YamlScalar(value.GetString()!) : value.GetRawText()));
                }

                return new TrainerPlan(["llamafactory-cli", "train", Path.Combine(folder, "llamafactory.yaml")], null,
                    new Dictionary<string, string> { ["llamafactory.yaml"] = sb.ToString() },
                    ["LLaMA-Factory reads data/dataset_info.json (ShareGPT with function_call/observation turns and tools)."]);
            }

            case "openai":
            {
                var body = new StringBuilder();
                using (var stream = new MemoryStream())
                {
                    using (var w = new Utf8JsonWriter(stream))
                    {
                        w.WriteStartObject();
                        w.WriteString("model", baseModel);
                        w.WriteString("training_file", "<file id of data/train.jsonl after upload>");
                        if (validation is not null)
                        {
                            w.WriteString("validation_file", "<file id of data/validation.jsonl after upload>");
                        }

                        w.WriteString("suffix", "whetstone");
                        w.WriteStartObject("method");
                        w.WriteString("type", "supervised");
                        w.WriteStartObject("supervised");
                        w.WriteStartObject("hyperparameters");
                        foreach (var (key, value) in hyper)
                        {
                            w.WritePropertyName(key);
                            value.WriteTo(w);
                        }

                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }

                    body.Append(Encoding.UTF8.GetString(stream.ToArray()));
                }

                var request = JsonDocument.Parse(body.ToString()).RootElement.Clone();
                return new TrainerPlan(null, request, new Dictionary<string, string> { ["openai-fine-tuning-job.json"] = request.GetRawText() + "\n" },
                [
                    "Upload data/train.jsonl (and data/validation.jsonl) with purpose \"fine-tune\" (POST /v1/files), put the file ids into the request, then POST it to /v1/fine_tuning/jobs.",
                    "To launch from Whetstone, set Whetstone:Training:LaunchCommand to a program that does this, e.g. [\"./upload-and-train.sh\", \"{manifest}\"].",
                ]);
            }

            default:
                return new TrainerPlan(null, null, new Dictionary<string, string>(),
                    ["custom trainer: 'job launch' runs Whetstone:Training:LaunchCommand with {manifest}, {train}, {validation}, {job}, {base_model} and {out} substituted."]);
        }
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();

    /// <summary>LLaMA-Factory needs a template name; guess it from the model name (override with --param template=…).</summary>
    private static string GuessTemplate(string baseModel)
    {
        var m = baseModel.ToLowerInvariant();
        return m.Contains("qwen3", StringComparison.Ordinal) ? "qwen3"
            : m.Contains("qwen", StringComparison.Ordinal) ? "qwen"
            : m.Contains("llama-3", StringComparison.Ordinal) || m.Contains("llama3", StringComparison.Ordinal) ? "llama3"
            : m.Contains("mistral", StringComparison.Ordinal) ? "mistral"
            : m.Contains("deepseek", StringComparison.Ordinal) ? "deepseek3"
            : m.Contains("gemma", StringComparison.Ordinal) ? "gemma"
            : "default";
    }
}
