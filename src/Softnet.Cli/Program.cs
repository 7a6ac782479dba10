using Softnet.Cli.Commands;

return await Dispatcher.RunAsync(args, Console.Out, Console.Error);
