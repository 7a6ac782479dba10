namespace Softnet.Load;

/// <summary>What a <see cref="PacedProducer"/> loop does with each paced batch: send (or count as dropped) that many packets.</summary>
public interface IBatchSend
{
    /// <summary>Sends <paramref name="count"/> packets now.</summary>
    void Send(int count);
}
