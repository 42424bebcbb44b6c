namespace SenderAuth.Dns;

/// <summary>
/// A master file could not be read. The message is <c>file:line:column: reason</c> (the <c>file:</c> part only
/// when the text came from a file), the shape editors and CI logs turn into links.
/// </summary>
public sealed class ZoneFileException : FormatException
{
    /// <summary>A parse error at <paramref name="line"/> and <paramref name="column"/> (1-based) of <paramref name="fileName"/>
    /// (null for text not read from a file).</summary>
    public ZoneFileException(string? fileName, int line, int column, string reason)
        : base($"{(fileName is null ? "" : fileName + ":")}{line}:{column}: {reason}")
    {
        FileName = fileName;
        Line = line;
        Column = column;
        Reason = reason;
    }

    /// <summary>The path given to <see cref="ZoneFileParser.ParseFile"/>, or null for in-memory text.</summary>
    public string? FileName { get; }

    /// <summary>1-based line of the offending token.</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 characters, a tab counting as one) of the offending token.</summary>
    public int Column { get; }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }
}
