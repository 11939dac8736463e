using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Whetstone.Quality;
using Whetstone.Storage;
using Whetstone.Storage.Sqlite;
using Whetstone.Trajectories;

// Fills a SQLite home's store with N generated support-agent runs (~5.5 KB each, the shape of
// shared/tools/gen_trajectories.py: system prompt, user request, three tool calls with results, final answer), each
// accepted with every turn learned, straight through the store port — no redaction or scoring, because the
// benchmarks that use it measure what comes after ingest (snapshot, export).
// usage: Whetstone.StoreSeeder HOME N [--seed S]
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: Whetstone.StoreSeeder HOME N [--seed S]");
    return 2;
}

var home = args[0];
var count = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var seed = args.Length > 3 && args[2] == "--seed" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 7;
Directory.CreateDirectory(home);
await using var store = SqliteStore.Open(Path.Combine(home, "whetstone.db"));
var random = new Random(seed);
var words = "order refund shipping courier tracking invoice account label package warehouse policy payment priority weekend replacement address customer delayed return update card".Split(' ');
string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
JsonElement Json(string s) => JsonDocument.Parse(s).RootElement.Clone();
var tools = new[] { "search_orders", "refund_order", "send_email" }
    .Select(t => new ToolSpec { Name = t, Description = "support tool " + t, Parameters = Json("""{"type":"object","properties":{"customer_id":{"type":"string"},"order_id":{"type":"string"},"amount":{"type":"number"}}}""") })
    .ToArray();
var watch = Stopwatch.StartNew();
var batch = new List<StoredTrajectory>(1000);
for (var i = 0; i < count; i++)
{
    var customer = "C" + random.Next(100000, 999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
    var messages = new List<Message>
    {
        new() { Role = Role.System, Content = "You are a support agent. " + Words(80) },
        new() { Role = Role.User, Content = $"Hi, my order for {customer} never arrived. " + Words(40) },
    };
    for (var k = 0; k < 3; k++)
    {
        var id = $"call_{i}_{k}";
        messages.Add(new Message { Role = Role.Assistant, ToolCalls = [new ToolCall { Id = id, Name = tools[k].Name, Arguments = Json($$"""{"customer_id":"{{customer}}","order_id":"O{{random.Next(10000000, 99999999)}}"}""") }] });
        messages.Add(new Message { Role = Role.Tool, ToolCallId = id, Name = tools[k].Name, Content = $$"""{"ok": true, "detail": "{{Words(70)}}"}""" });
    }

    messages.Add(new Message { Role = Role.Assistant, Content = "Your refund is on its way. " + Words(40) });
    var t = new Trajectory
    {
        Id = $"seed-{i:D8}",
        Task = messages[1].Content,
        TaskKey = "task-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Model = new ModelInfo { Provider = "openai", Name = "support-model" },
        Tools = tools,
        Messages = messages,
        Outcome = new Outcome { Status = OutcomeStatus.Completed },
    };
    batch.Add(new StoredTrajectory { Trajectory = t, Verdict = QualityVerdict.NoPolicy(4), IngestedAt = DateTimeOffset.UtcNow });
    if (batch.Count == batch.Capacity)
    {
        await store.Trajectories.InsertAsync(batch);
        batch.Clear();
    }
}

await store.Trajectories.InsertAsync(batch);
Console.WriteLine($"seeded {count} runs into {home} in {watch.Elapsed.TotalSeconds:0.0} s");
return 0;
