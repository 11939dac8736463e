using Whetstone.Server;

// Standalone host: `Whetstone.Server [--home DIR] [--urls URL]`; `whetstone serve` runs the same server.
return await ServerProgram.RunAsync(args, Environment.GetEnvironmentVariables());
