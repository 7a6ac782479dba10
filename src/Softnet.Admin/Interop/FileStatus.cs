namespace Softnet.Admin.Interop;

/// <summary>What statx told about a file: its owner and its st_mode (type and permission bits).</summary>
internal readonly record struct FileStatus(uint Owner, uint Mode)
{
    public uint Type => Mode & FileSystem.SIfMt;

    public uint Permissions => Mode & 0xFFF;

    public bool IsSocket => Type == FileSystem.SIfSock;

    public bool IsSymbolicLink => Type == FileSystem.SIfLnk;

    public string Octal => Convert.ToString(Permissions, 8).PadLeft(4, '0');
}
