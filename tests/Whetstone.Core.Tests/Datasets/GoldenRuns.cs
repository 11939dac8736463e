using System.Text;
using Whetstone.Tests;
using Whetstone.Trajectories;

namespace Whetstone.Core.Tests.Datasets;

/// <summary>A few real sample runs for export golden files: a FireAct ReAct run (tool calls, a weight-0 detour
/// turn), a ToolTalk conversation with two calls in one turn, and a multi-turn ToolTalk conversation.</summary>
internal static class GoldenRuns
{
    public static Trajectory Read(string file, string id)
    {
        var line = TestPaths.Lines(file).First(l => l.Contains($"\"id\": \"{id}\"", StringComparison.Ordinal));
        var item = TrajectoryFileReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(line)), "golden").Single();
        return item.Trajectory ?? throw new InvalidOperationException(item.Error!.ToString());
    }

    public static Trajectory FireAct => Read(TestPaths.FireAct, "fireact-llama-2-7b-lora-7275");

    public static Trajectory ParallelCalls => Read(TestPaths.ToolTalk, "tooltalk-Alarm-Messages-Reminder-GetReminder-2");

    public static Trajectory Conversation => Read(TestPaths.ToolTalk, "tooltalk-golden_conversation_2");
}
