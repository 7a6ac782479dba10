using System.Runtime.CompilerServices;

// The benchmark drives the same load, handler and histogram as `softnet run`, so its numbers compare like with like.
[assembly: InternalsVisibleTo("Softnet.Bench")]
