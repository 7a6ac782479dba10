using System.Reflection;

namespace Softnet.Tests.TestSupport;

/// <summary>
/// The runtime makes a <see cref="Lock"/>'s wait event the first time a thread blocks on that lock (56 B on .NET 10),
/// once in the lock's life. A fresh stack whose first drain happens to block on one of its locks (a busy machine
/// preempts a holder) is charged with it, though nothing per packet or per poll allocated. <see cref="Prime"/> makes
/// the wait event of every lock a stack reaches beforehand, so that a drain's allocations are the stack's own.
/// </summary>
internal static class LockWaitEvents
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly FieldInfo WaitEvent = typeof(Lock).GetField("_waitEvent", Instance)
        ?? throw new InvalidOperationException("System.Threading.Lock has no _waitEvent field in this runtime: LockWaitEvents needs another way to see a lock's wait event");

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>Makes the wait event of every lock reachable from <paramref name="root"/> through fields; returns how many locks it found.</summary>
    /// <remarks>Call it while the stack's threads are idle: it holds each lock for as long as a second thread takes to block on it.</remarks>
    public static int Prime(object root)
    {
        var locks = Reachable(root);
        foreach (var l in locks)
        {
            if (WaitEvent.GetValue(l) is null)
                BlockOnce(l);
        }
        return locks.Count;
    }

    /// <summary>Whether every lock reachable from <paramref name="root"/> has its wait event.</summary>
    public static bool Made(object root) => Reachable(root).TrueForAll(l => WaitEvent.GetValue(l) is not null);

    /// <summary>Holds the lock until another thread has blocked on it, which is when the runtime makes the wait event.</summary>
    private static void BlockOnce(object boxed)
    {
        var l = (Lock)boxed;
        l.Enter();
        var waiter = new Thread(() =>
        {
            l.Enter();
            l.Exit();
        })
        { IsBackground = true, Name = "lock-wait-event" };
        try
        {
            waiter.Start();
            Eventually.True(() => WaitEvent.GetValue(boxed) is not null, "a second thread to block on the lock", Patience);
        }
        finally
        {
            l.Exit();
        }
        Assert.True(waiter.Join(Patience), "the thread that blocked on the lock never got it");
    }

    /// <summary>
    /// Every <see cref="Lock"/> in the object graph under <paramref name="root"/>, through the root's fields, those of
    /// Softnet's own objects and of the arrays and collections that hold them (not into the runtime's or a logger's objects).
    /// </summary>
    private static List<object> Reachable(object root)
    {
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object>();
        var locks = new List<object>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var o = pending.Pop();
            var type = o.GetType();
            if (!seen.Add(o) || (o != root && !WithinStack(type)))
                continue;
            if (type == typeof(Lock))
            {
                locks.Add(o);
                continue;
            }
            if (o is Array array)
            {
                if (!type.GetElementType()!.IsValueType)
                {
                    foreach (var element in array)
                    {
                        if (element is not null)
                            pending.Push(element);
                    }
                }
                continue;
            }
            for (var t = type; t is not null; t = t.BaseType)
            {
                foreach (var field in t.GetFields(Instance))
                {
                    if (!field.FieldType.IsValueType && field.GetValue(o) is { } value)
                        pending.Push(value);
                }
            }
        }
        return locks;
    }

    private static bool WithinStack(Type type) =>
        type == typeof(Lock)
        || type.IsArray
        || type.Assembly == typeof(Softnet.Core.NetStack).Assembly
        || type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true;
}
