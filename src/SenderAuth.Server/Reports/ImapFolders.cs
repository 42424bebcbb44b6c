using MailKit;
using MailKit.Net.Imap;
using MimeKit;

namespace SenderAuth.Server.Reports;

/// <summary>The archive and error folders (created when missing), and the note that carries a failed message.</summary>
internal static class ImapFolders
{
    /// <summary>The folder at <paramref name="path"/> (levels split by the server's separator), created and subscribed when missing.</summary>
    public static async Task<IMailFolder> GetOrCreateAsync(ImapClient client, string path, CancellationToken ct)
    {
        try
        {
            return await client.GetFolderAsync(path, ct).ConfigureAwait(false);
        }
        catch (FolderNotFoundException)
        {
        }
        var folder = client.GetFolder(client.PersonalNamespaces[0]);
        foreach (var level in path.Split(folder.DirectorySeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            IMailFolder? next = null;
            try
            {
                next = await folder.GetSubfolderAsync(level, ct).ConfigureAwait(false);
            }
            catch (FolderNotFoundException)
            {
            }
            if (next is null)
            {
                next = await folder.CreateAsync(level, isMessageFolder: true, ct).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"the IMAP server did not create folder {level} of {path}");
                await next.SubscribeAsync(ct).ConfigureAwait(false);
            }
            folder = next;
        }
        return folder;
    }

    /// <summary>
    /// A short message for the error folder: the reason in the subject and the body, and the original attached
    /// (message/rfc822; as an opaque .eml when it is not even parseable as a message). Without an original (too
    /// large to read) it names the message, which is moved next to it.
    /// </summary>
    public static async Task<IAppendRequest> NoteAsync(IMessageSummary summary, ImapMailboxOptions mailbox, string reason, Stream? original, TimeProvider time, CancellationToken ct)
    {
        var note = new MimeMessage();
        note.From.Add(new MailboxAddress("SenderAuth", "senderauth@localhost"));
        note.Subject = "SenderAuth could not import: " + OneLine(reason, 180);
        note.Date = time.GetUtcNow();
        note.Headers.Add("X-SenderAuth-Reason", OneLine(reason, 900));
        var envelope = summary.Envelope;
        var text = new TextPart("plain")
        {
            Text = $"""
                SenderAuth could not import this message as a DMARC aggregate report.

                Reason:     {reason}
                Mailbox:    {mailbox.Name}
                From:       {envelope?.From}
                Subject:    {envelope?.Subject}
                Date:       {envelope?.Date:O}
                Message-ID: {envelope?.MessageId}
                Size:       {summary.Size} bytes
                {(original is null ? "The message was not read; it was moved to this folder next to this note." : "The message is attached as it was received.")}
                """,
        };
        if (original is null)
        {
            note.Body = text;
        }
        else
        {
            var mixed = new Multipart("mixed") { text };
            try
            {
                var parsed = await MimeMessage.LoadAsync(original, ct).ConfigureAwait(false);
                mixed.Add(new MessagePart { Message = parsed, ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) });
            }
            catch (FormatException)
            {
                original.Position = 0;
                var bytes = new MemoryStream();
                await original.CopyToAsync(bytes, ct).ConfigureAwait(false);
                bytes.Position = 0;
                mixed.Add(new MimePart("application", "octet-stream")
                {
                    Content = new MimeContent(bytes),
                    ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
                    ContentTransferEncoding = ContentEncoding.Base64,
                    FileName = "original.eml",
                });
            }
            note.Body = mixed;
        }
        return new AppendRequest(note, MessageFlags.None);
    }

    private static string OneLine(string text, int max)
    {
        var line = string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }
}
