using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SenderAuth.Cli.Commands;
using SenderAuth.Dkim;
using SenderAuth.Json;

namespace SenderAuth.Cli;

/// <summary>
/// The engine CLI's source-generated metadata: the <c>--json</c> views of the engine commands, the ones listed first
/// in the full CLI's context (src/SenderAuth.Cli/CliJsonContext.cs), whose name this class takes so that the shared
/// <see cref="CliJson"/> compiles unchanged here. A view missing here throws NotSupportedException in the engine CLI
/// at run time, which the CLI tests (through ./senderauth, which runs this binary) would show.
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(SpfView))]
[JsonSerializable(typeof(SpfBatch.Request))]
[JsonSerializable(typeof(SpfLintView))]
[JsonSerializable(typeof(DmarcLintView))]
[JsonSerializable(typeof(DkimKeygenView))]
[JsonSerializable(typeof(DkimVerifyView))]
[JsonSerializable(typeof(VerifyView))]
[JsonSerializable(typeof(CheckView))]
[JsonSerializable(typeof(CheckErrorView))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>The enums without a protocol token that the engine views hold, as in the full CLI's context.</summary>
    public static IEnumerable<JsonConverter> KebabCaseEnums => [SenderAuthJson.KebabCaseEnum<DkimKeyType>()];
}
