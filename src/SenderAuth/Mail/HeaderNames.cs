namespace SenderAuth.Mail;

/// <summary>
/// The field names nearly every message carries, as shared strings: parsing a message then allocates a name only
/// for a field outside this table (or spelled in another case), instead of one per field.
/// </summary>
internal static class HeaderNames
{
    private static readonly string[] Common =
    [
        "From", "To", "Cc", "Subject", "Date", "Message-ID", "Message-Id", "Reply-To", "Sender", "MIME-Version",
        "Mime-Version", "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID",
        "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID", "Precedence", "Auto-Submitted",
        "DKIM-Signature", "Authentication-Results", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
        "Received", "Received-SPF", "Return-Path", "Delivered-To", "In-Reply-To", "References", "X-Mailer",
        "Resent-From", "Resent-Date", "Resent-To", "Resent-Message-ID", "Bcc",
    ];

    // Indexed by length; each bucket holds the names of that length with their bytes (names are ASCII).
    private static readonly (byte[] Bytes, string Name)[][] ByLength = Build();

    /// <summary>The name's string: the shared one when the bytes are exactly a common name, else a new Latin-1 string.</summary>
    public static string Get(ReadOnlySpan<byte> name)
    {
        if (name.Length < ByLength.Length)
        {
            foreach (var (bytes, text) in ByLength[name.Length])
            {
                if (name.SequenceEqual(bytes))
                {
                    return text;
                }
            }
        }
        return System.Text.Encoding.Latin1.GetString(name);
    }

    private static (byte[], string)[][] Build()
    {
        var buckets = new List<(byte[], string)>[Common.Max(n => n.Length) + 1];
        foreach (var name in Common)
        {
            (buckets[name.Length] ??= []).Add((System.Text.Encoding.ASCII.GetBytes(name), name));
        }
        return [.. buckets.Select(b => b?.ToArray() ?? [])];
    }
}
