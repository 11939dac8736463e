using System.Diagnostics;
using System.Globalization;
using Whetstone.Configuration;
using Whetstone.Storage;

namespace Whetstone.Training;

/// <summary>Runs a job's trainer as an argv list (never through a shell), with the placeholders <c>{manifest}</c>,
/// <c>{train}</c>, <c>{validation}</c>, <c>{job}</c>, <c>{base_model}</c> and <c>{out}</c> substituted and
/// <c>WHETSTONE_JOB_*</c> environment variables set; captures exit code, duration and output to a log file, and
/// appends every launch — dry runs included — to the launch history.</summary>
public sealed class JobLauncher(IJobStore jobs, TrainingOptions options, TimeProvider time, Registry.AuditLog? audit = null)
{
    public async Task<LaunchRecord> LaunchAsync(string jobId, bool dryRun, string? actor, CancellationToken cancellationToken = default)
    {
        var job = await jobs.GetJobAsync(jobId, cancellationToken)
            ?? throw new WhetstoneException(ErrorCode.NotFound, $"no job with id '{jobId}'");
        var template = options.LaunchCommand.Count > 0 ? options.LaunchCommand : job.Command;
        if (template is null || template.Count == 0)
        {
            throw new WhetstoneException(ErrorCode.Refused,
                $"job {job.Id} ({job.Trainer}) has no command line: set Whetstone:Training:LaunchCommand to the program to run (an argv array)",
                "no_launch_command");
        }

        var values = Placeholders(job);
        var argv = template.Select(a => Substitute(a, values)).ToList();
        var started = time.GetUtcNow();
        if (dryRun)
        {
            return await RecordAsync(new LaunchRecord
            {
                JobId = job.Id, Status = LaunchStatus.DryRun, Argv = argv, StartedAt = started, EndedAt = started, Actor = actor,
            }, cancellationToken);
        }

        var logs = Path.Combine(job.Folder, "logs");
        Directory.CreateDirectory(logs);
        var log = Path.Combine(logs, "launch-" + started.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff", CultureInfo.InvariantCulture) + ".log");
        var watch = time.GetTimestamp();
        var (status, exit, error) = await RunAsync(job, argv, values, log, cancellationToken);
        var ended = time.GetUtcNow();
        return await RecordAsync(new LaunchRecord
        {
            JobId = job.Id,
            Status = status,
            Argv = argv,
            StartedAt = started,
            EndedAt = ended,
            DurationMs = (long)time.GetElapsedTime(watch).TotalMilliseconds,
            ExitCode = exit,
            LogPath = log,
            Actor = actor,
            Error = error,
        }, CancellationToken.None);
    }

    private async Task<LaunchRecord> RecordAsync(LaunchRecord launch, CancellationToken cancellationToken)
    {
        var stored = await jobs.AppendLaunchAsync(launch, cancellationToken);
        if (audit is not null)
        {
            await audit.AppendAsync(launch.Actor ?? "system", "job_launched", [launch.JobId], Registry.AuditLog.Payload(
                ("launch", stored.Sequence), ("status", launch.Status.ToString().ToLowerInvariant()), ("exit_code", launch.ExitCode),
                ("argv", launch.Argv)), cancellationToken);
        }

        return stored;
    }

    private async Task<(LaunchStatus, int?, string?)> RunAsync(JobManifest job, List<string> argv, Dictionary<string, string> values,
        string log, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = job.Folder,
        };
        foreach (var a in argv.Skip(1))
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["WHETSTONE_JOB_ID"] = job.Id;
        info.Environment["WHETSTONE_JOB_MANIFEST"] = values["manifest"];
        info.Environment["WHETSTONE_JOB_TRAIN"] = values["train"];
        info.Environment["WHETSTONE_JOB_VALIDATION"] = values["validation"];
        info.Environment["WHETSTONE_JOB_OUT"] = values["out"];
        info.Environment["WHETSTONE_JOB_BASE_MODEL"] = job.BaseModel;
        info.Environment["WHETSTONE_JOB_SNAPSHOT"] = job.SnapshotId;
        info.Environment["WHETSTONE_JOB_TRAINER"] = job.Trainer;

        await using var logStream = new StreamWriter(log, append: false) { AutoFlush = true };
        var gate = new object();
        void Append(string? line)
        {
            if (line is not null)
            {
                lock (gate)
                {
                    logStream.WriteLine(line);
                }
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Append($"[whetstone] could not start {argv[0]}: {e.Message}");
            return (LaunchStatus.Error, null, $"could not start '{argv[0]}': {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = options.TimeoutMinutes > 0
            ? new CancellationTokenSource(TimeSpan.FromMinutes(options.TimeoutMinutes))
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            var why = timeout.IsCancellationRequested ? $"stopped after the {options.TimeoutMinutes}-minute limit" : "cancelled";
            Append($"[whetstone] {why}");
            return (LaunchStatus.Failed, process.ExitCode, why);
        }

        process.WaitForExit();
        return (process.ExitCode == 0 ? LaunchStatus.Succeeded : LaunchStatus.Failed, process.ExitCode, null);
    }

    private static Dictionary<string, string> Placeholders(JobManifest job) => new(StringComparer.Ordinal)
    {
        ["manifest"] = Path.Combine(job.Folder, "manifest.json"),
        ["train"] = job.Files.TryGetValue("train", out var t) ? t.Path : "",
        ["validation"] = job.Files.TryGetValue("validation", out var v) ? v.Path : "",
        ["job"] = job.Id,
        ["base_model"] = job.BaseModel,
        ["out"] = job.OutputDir,
    };

    /// <summary>Replaces each <c>{name}</c> in one argument; the result stays one argument whatever it holds.</summary>
    internal static string Substitute(string argument, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in values)
        {
            argument = argument.Replace("{" + name + "}", value, StringComparison.Ordinal);
        }

        return argument;
    }
}
