using Whetstone.Cli;

return await CliApp.RunAsync(args, new CliEnvironment(
    Console.Out,
    Console.Error,
    Environment.GetEnvironmentVariables(),
    Interactive: !Console.IsOutputRedirected));
