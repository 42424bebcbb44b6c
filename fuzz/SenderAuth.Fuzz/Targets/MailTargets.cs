using SenderAuth.Mail;

namespace SenderAuth.Fuzz;

/// <summary>The message header splitter and the address-list reader (src/SenderAuth/Mail).</summary>
internal static class MailTargets
{
    private static readonly string[] AddressFields = ["From", "Sender", "Reply-To", "To", "Cc"];

    /// <summary>
    /// <see cref="MailMessage.Parse"/> under the default limits (a limit or an unreadable header section is a
    /// <see cref="MessageFormatException"/>), then every field's unfolded value and <see cref="MailboxList.Parse"/>
    /// on each address field (errors as data).
    /// </summary>
    public static FuzzTarget Header { get; } = new("mail-header", input =>
    {
        var message = MailMessage.Parse(input);
        foreach (var field in message.Headers)
        {
            var value = field.Value;
            if (AddressFields.Any(field.Is))
            {
                var list = MailboxList.Parse(value, out var error);
                if (list is null && error is null)
                {
                    throw new InvalidOperationException("MailboxList.Parse returned no list and no error");
                }
            }
        }
        _ = message.Body.Length;
    }, [typeof(MessageFormatException)], FuzzBudget.Text);
}
