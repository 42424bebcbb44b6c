using SenderAuth.Dkim;

namespace SenderAuth.Cli.Commands;

/// <summary>
/// The JSON of <c>senderauth dkim keygen --json</c> (field names are a public contract): the record to publish and where
/// the private key was written. The algorithm is the key type, written by the contract as <c>rsa</c> or <c>ed25519</c>.
/// </summary>
internal sealed record DkimKeygenView(string Name, DkimKeyType Algorithm, int Bits, string Txt, IReadOnlyList<string> TxtStrings, string ZoneLine, string PrivateKey);
