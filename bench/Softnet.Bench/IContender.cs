namespace Softnet.Bench;

/// <summary>One way of moving the load's packets from producers to per-CPU handlers.</summary>
internal interface IContender
{
    string Name { get; }

    Measurement Run(BenchOptions options, int seconds);
}
