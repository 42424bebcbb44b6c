using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using MimeKit;

namespace SenderAuth.Tests.Server.Reports;

/// <summary>
/// A mailbox on the test Dovecot (tests/servers/dovecot): a fresh folder per test under one of its users, so tests
/// never see each other's mail. Messages go in by APPEND, as a mail server would deliver them.
/// </summary>
public sealed class TestMailbox
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string User { get; init; }
    public required string Password { get; init; }
    public required string Folder { get; init; }
    public string ArchiveFolder => $"{Folder}-done/Archive";
    public string ErrorFolder => $"{Folder}-done/Errors";

    /// <summary>The test Dovecot's mailbox with a new folder, or a skip when run-tests did not start it.</summary>
    public static async Task<TestMailbox> CreateAsync(string prefix)
    {
        var address = TestServers.Get("SENDERAUTH_TEST_IMAP");
        if (string.IsNullOrWhiteSpace(address))
        {
            Assert.Skip("SENDERAUTH_TEST_IMAP is not set: the Dovecot test server (tests/servers/dovecot) was not started; run ./run-tests");
        }
        var (host, port) = (address[..address.LastIndexOf(':')], int.Parse(address[(address.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var box = new TestMailbox
        {
            Host = host, Port = port,
            User = TestServers.Get("SENDERAUTH_TEST_IMAP_USERS")!.Split(',')[0],
            Password = TestServers.Get("SENDERAUTH_TEST_IMAP_PASSWORD")!,
            Folder = $"{prefix}{Guid.NewGuid():N}"[..24],
        };
        using var client = await box.ConnectAsync();
        await client.GetFolder(client.PersonalNamespaces[0]).CreateAsync(box.Folder, true);
        return box;
    }

    /// <summary>The server settings for this mailbox, as SenderAuth:Reports:Imap:INDEX.</summary>
    public Dictionary<string, string?> Settings(int index = 0, long maxMessageBytes = 1 << 20) => new()
    {
        [$"SenderAuth:Reports:Imap:{index}:Host"] = Host,
        [$"SenderAuth:Reports:Imap:{index}:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"SenderAuth:Reports:Imap:{index}:Security"] = "none",
        [$"SenderAuth:Reports:Imap:{index}:User"] = User,
        [$"SenderAuth:Reports:Imap:{index}:Password"] = Password,
        [$"SenderAuth:Reports:Imap:{index}:Folder"] = Folder,
        [$"SenderAuth:Reports:Imap:{index}:ArchiveFolder"] = ArchiveFolder,
        [$"SenderAuth:Reports:Imap:{index}:ErrorFolder"] = ErrorFolder,
        [$"SenderAuth:Reports:Imap:{index}:MaxMessageBytes"] = maxMessageBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SenderAuth:Reports:BackgroundIngestion"] = "false",
    };

    public async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient { Timeout = 30_000 };
        await client.ConnectAsync(Host, Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(User, Password);
        return client;
    }

    public async Task AppendAsync(params MimeMessage[] messages)
    {
        using var client = await ConnectAsync();
        var folder = await client.GetFolderAsync(Folder);
        foreach (var m in messages)
        {
            await folder.AppendAsync(new AppendRequest(m, MessageFlags.None));
        }
        await client.DisconnectAsync(true);
    }

    /// <summary>Every message of a folder, parsed (small test folders only); empty when the folder does not exist.</summary>
    public async Task<List<MimeMessage>> ReadAsync(string folderName)
    {
        using var client = await ConnectAsync();
        IMailFolder folder;
        try
        {
            folder = await client.GetFolderAsync(folderName);
        }
        catch (FolderNotFoundException)
        {
            return [];
        }
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var messages = new List<MimeMessage>();
        foreach (var uid in await folder.SearchAsync(SearchQuery.NotDeleted))
        {
            messages.Add(await folder.GetMessageAsync(uid));
        }
        await client.DisconnectAsync(true);
        return messages;
    }

    /// <summary>A report email the way Google sends them: a short text and the report as a gzip attachment.</summary>
    public static MimeMessage ReportEmail(string org, string reportId, string domain, byte[] attachment, string attachmentName, string? messageId = null)
    {
        var builder = new BodyBuilder { TextBody = $"This is an aggregate report from {org}." };
        builder.Attachments.Add(attachmentName, attachment, ContentType.Parse(attachmentName.EndsWith(".zip", StringComparison.Ordinal) ? "application/zip" : "application/gzip"));
        var message = new MimeMessage
        {
            Subject = $"Report domain: {domain} Submitter: {org} Report-ID: {reportId}",
            Body = builder.ToMessageBody(),
            MessageId = messageId ?? $"{Guid.NewGuid():N}@{org}",
            Date = new DateTimeOffset(2026, 10, 2, 1, 0, 0, TimeSpan.Zero),
        };
        message.From.Add(new MailboxAddress("", $"noreply-dmarc-support@{org}"));
        message.To.Add(new MailboxAddress("", "rua@rua.ticketing.example"));
        return message;
    }
}
