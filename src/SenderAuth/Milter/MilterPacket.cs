using System.Buffers.Binary;
using System.Text;

namespace SenderAuth.Milter;

/// <summary>One packet from the MTA: its command and data. The data is valid until the next read on its reader.</summary>
internal readonly record struct MilterPacket(MilterCommand Command, ReadOnlyMemory<byte> Data)
{
    /// <summary>Splits data made of NUL-terminated fields (every string command); a field without its NUL is malformed.</summary>
    public static List<ReadOnlyMemory<byte>> Fields(ReadOnlyMemory<byte> data, MilterCommand command)
    {
        var fields = new List<ReadOnlyMemory<byte>>(4);
        var rest = data;
        while (rest.Length > 0)
        {
            var nul = rest.Span.IndexOf((byte)0);
            if (nul < 0)
            {
                throw new MilterProtocolException("malformed", $"{Name(command)}: a field is not NUL-terminated");
            }
            fields.Add(rest[..nul]);
            rest = rest[(nul + 1)..];
        }
        return fields;
    }

    /// <summary>SMFIC_OPTNEG: the MTA's version, offered actions and offered steps.</summary>
    public static (uint Version, MilterActions Actions, MilterSteps Steps) ReadNegotiation(ReadOnlySpan<byte> data)
    {
        if (data.Length < 12)
        {
            throw new MilterProtocolException("malformed", $"option negotiation carries {data.Length} bytes; 12 are required (version, actions, steps)");
        }
        return (BinaryPrimitives.ReadUInt32BigEndian(data), (MilterActions)BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
            (MilterSteps)BinaryPrimitives.ReadUInt32BigEndian(data[8..]));
    }

    /// <summary>SMFIC_CONNECT: host name, family ('4', '6', 'L' local, 'U' unknown), port and address.</summary>
    public static (string Host, char Family, int Port, string Address) ReadConnect(ReadOnlyMemory<byte> data)
    {
        var span = data.Span;
        var nul = span.IndexOf((byte)0);
        if (nul < 0 || nul + 1 >= span.Length)
        {
            throw new MilterProtocolException("malformed", "connect: the host name is not NUL-terminated or the family is missing");
        }
        var host = Encoding.UTF8.GetString(span[..nul]);
        var family = (char)span[nul + 1];
        if (family == 'U')
        {
            return (host, family, 0, "");
        }
        var rest = span[(nul + 2)..];
        if (rest.Length < 3 || rest[^1] != 0)
        {
            throw new MilterProtocolException("malformed", "connect: the port or the address is missing");
        }
        var port = BinaryPrimitives.ReadUInt16BigEndian(rest);
        return (host, family, port, Encoding.ASCII.GetString(rest[2..^1]));
    }

    /// <summary>The SMFIC_ name of a command byte, for errors and logs.</summary>
    public static string Name(MilterCommand command) =>
        Enum.IsDefined(command) ? command.ToString() : $"0x{(byte)command:x2}";
}
