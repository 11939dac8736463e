using Whetstone.Server;

// Standalone host: `Whetstone.Server [--home DIR] [--urls URL]`; `whetstone serve` runs the same server.
return await ServerProgram.RunAsync(args, Environment.GetEnvironmentVariables());

/// <summary>The standalone entry point (public for <c>WebApplicationFactory&lt;Program&gt;</c> in tests).</summary>
public partial class Program;
