using System.Text;

namespace SenderAuth.Tests.Interop;

/// <summary>One-byte changes made after signing, which every verifier must catch.</summary>
public static class Tamper
{
    public static readonly string[] Kinds = ["body", "subject"];

    public static byte[] Apply(string kind, byte[] message) => kind == "body" ? Body(message) : Subject(message);

    /// <summary>Changes one letter in the middle of the body; an empty body gets one letter (it is then not empty).</summary>
    public static byte[] Body(byte[] message)
    {
        var start = BodyStart(message);
        if (start == message.Length)
        {
            return [.. message, (byte)'X'];
        }
        var copy = (byte[])message.Clone();
        var at = FirstLetter(copy, start + (message.Length - start) / 2, message.Length)
            ?? FirstLetter(copy, start, message.Length)
            ?? throw new InvalidOperationException("the body has no letter to change");
        copy[at] = Next(copy[at]);
        return copy;
    }

    /// <summary>Changes the first letter of the Subject's value (a signed header for every signer here).</summary>
    public static byte[] Subject(byte[] message)
    {
        var headers = Encoding.Latin1.GetString(message, 0, BodyStart(message));
        var field = headers.IndexOf("\nSubject:", StringComparison.OrdinalIgnoreCase);
        if (field < 0)
        {
            throw new InvalidOperationException("the message has no Subject");
        }
        var copy = (byte[])message.Clone();
        var at = FirstLetter(copy, field + "\nSubject:".Length, copy.Length)!.Value;
        copy[at] = Next(copy[at]);
        return copy;
    }

    /// <summary>Index just after the empty line that ends the header section (CRLF or bare LF).</summary>
    private static int BodyStart(byte[] m)
    {
        for (var i = 0; i + 1 < m.Length; i++)
        {
            if (m[i] == '\n' && m[i + 1] == '\n')
            {
                return i + 2;
            }
            if (m[i] == '\n' && m[i + 1] == '\r' && i + 2 < m.Length && m[i + 2] == '\n')
            {
                return i + 3;
            }
        }
        return m.Length;
    }

    private static int? FirstLetter(byte[] m, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (char.IsAsciiLetter((char)m[i]))
            {
                return i;
            }
        }
        return null;
    }

    // A different letter of the same case: case and whitespace changes might be forgiven by a canonicalization.
    private static byte Next(byte b) => b is (byte)'z' or (byte)'Z' ? (byte)(b - 25) : (byte)(b + 1);
}
