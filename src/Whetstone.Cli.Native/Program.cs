using Whetstone.Cli.Native;

return NativeCli.Run(args, Console.Out, Console.Error, Environment.GetEnvironmentVariables());
