using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SenderAuth.Server.Hosting;

/// <summary>
/// docs/configuration.md, generated from the options classes under <see cref="ServerOptions"/>: every key with its
/// type, its default (a fresh <see cref="ServerOptions"/> with the list defaults the server fills in at start), its
/// range (the <see cref="RangeAttribute"/> that <see cref="OptionRangeValidator"/> enforces), its environment-variable
/// form and its description (the property's XML doc comment, read from the assembly's documentation file).
/// <c>senderauth config-reference</c> prints it; a test fails when the committed file differs.
/// </summary>
public static partial class ConfigurationReference
{
    /// <summary>The command that regenerates docs/configuration.md (defined once, in <see cref="ConfigurationDocs"/>).</summary>
    public const string Command = ConfigurationDocs.RegenerateCommand;

    /// <summary>
    /// The XML documentation file of <paramref name="assembly"/>: beside it, or, where the assembly has no file of its
    /// own (a single-file build, whose <see cref="Assembly.Location"/> is empty), beside the executable
    /// (<see cref="AppContext.BaseDirectory"/>), where publish leaves the .xml files; null when there is none.
    /// </summary>
    public static string? DocumentationFile(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return DocumentationCandidates(assembly).FirstOrDefault(File.Exists);
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000:Avoid accessing Assembly file path when publishing as a single file",
        Justification = "An empty Location (single file) is skipped; the executable's folder is tried next.")]
    private static string[] DocumentationCandidates(Assembly assembly)
    {
        var besideTheProgram = Path.Combine(AppContext.BaseDirectory, assembly.GetName().Name + ".xml");
        return string.IsNullOrEmpty(assembly.Location)
            ? [besideTheProgram]
            : [Path.ChangeExtension(assembly.Location, ".xml"), besideTheProgram];
    }

    public static string Markdown()
    {
        var defaults = new ServerOptions();
        // The same fill-ins as the server's PostConfigure: lists cannot hold defaults in their initializers.
        defaults.Provider.ApplyDefaults();
        defaults.Notifications.ApplyDefaults();
        defaults.Metrics.ApplyDefaults();
        var sections = new List<(string Path, string? Summary, List<Row> Rows)>();
        Walk(typeof(ServerOptions), defaults, ServerOptions.Section, sections, depth: 0);
        var md = new StringBuilder();
        md.Append(Intro);
        foreach (var (path, summary, rows) in sections.Where(s => s.Rows.Count > 0))
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## `{path}`\n\n");
            if (summary is { Length: > 0 })
            {
                md.Append(summary).Append("\n\n");
            }
            md.Append("| key | type | default | range | environment variable | description |\n|---|---|---|---|---|---|\n");
            foreach (var r in rows)
            {
                md.Append(CultureInfo.InvariantCulture, $"| `{r.Key}` | {Cell(r.Type)} | {Cell(r.Default)} | {Cell(r.Range)} | `{r.Environment.Replace(":", "__", StringComparison.Ordinal)}` | {Cell(r.Description)} |\n");
            }
        }
        md.Append(Outside);
        return md.ToString();
    }

    /// <param name="Environment">The key of the environment variable's example (a list's first item, a map's entry).</param>
    private sealed record Row(string Key, string Type, string Default, string Range, string Description, string Environment);

    private static void Walk(Type type, object? instance, string path, List<(string, string?, List<Row>)> sections, int depth)
    {
        var rows = new List<Row>();
        sections.Add((path, Docs.Summary(type), rows));
        // The base class's keys first (ServerOptions extends the store's StoreOptions: DataDirectory, Database, …),
        // each class's in declaration order.
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetSetMethod() is not null)
            .OrderBy(p => Depth(p.DeclaringType!)))
        {
            var key = $"{path}:{property.Name}";
            var value = instance is null ? null : property.GetValue(instance);
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (depth < 4 && OptionRanges.IsOptionsType(t) && !IsList(t))
            {
                Walk(t, value, key, sections, depth + 1);
                continue;
            }
            if (depth < 4 && ListItem(t) is { } item && OptionRanges.IsOptionsType(item))
            {
                // Each entry is a group of keys (…:0:Host, …:1:Host), documented once below as …:N:Key.
                var count = value is IList list ? list.Count : 0;
                rows.Add(new Row(key, $"list of `{item.Name}` (`{key}:0:…`, `{key}:1:…`; the keys under `{key}:N` below)", count == 0 ? "(empty)" : $"{count} entries", "", Docs.Summary(property) ?? "", $"{key}:0:…"));
                // An entry's defaults are a new entry's (records bound by their constructor have none).
                Walk(item, item.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(item) : null, $"{key}:N", sections, depth + 1);
                continue;
            }
            var range = property.GetCustomAttribute<RangeAttribute>() is { } r ? OptionRanges.Describe(r).Replace("between ", "", StringComparison.Ordinal).Replace(" and ", " to ", StringComparison.Ordinal) : "";
            var env = ListItem(t) is not null ? $"{key}:0" : IsMap(t) ? $"{key}:NAME" : key;
            rows.Add(new Row(key, TypeName(property.PropertyType, key), Format(value, instance is null), range, Docs.Summary(property) ?? "", env));
        }
    }

    private static int Depth(Type type) => type.BaseType is { } b ? 1 + Depth(b) : 0;

    private static bool IsList(Type t) => ListItem(t) is not null;

    private static bool IsMap(Type t) => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Dictionary<,>);

    private static Type? ListItem(Type t) =>
        t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>) ? t.GetGenericArguments()[0] : null;

    private static string TypeName(Type declared, string key)
    {
        var t = Nullable.GetUnderlyingType(declared) ?? declared;
        if (t.IsEnum)
        {
            return "one of " + string.Join(", ", EnumWords.Tokens(t).Select(n => $"`{n}`"));
        }
        if (ListItem(t) is { } item)
        {
            return $"list of {TypeName(item, key)} (`{key}:0`, `{key}:1`, …)";
        }
        if (IsMap(t))
        {
            return $"map of {TypeName(t.GetGenericArguments()[1], key)} (`{key}:NAME`)";
        }
        return t switch
        {
            _ when t == typeof(string) => "string",
            _ when t == typeof(bool) => "bool",
            _ when t == typeof(int) || t == typeof(long) => "integer",
            _ when t == typeof(double) => "number",
            _ when t == typeof(TimeSpan) => "time span (`d.hh:mm:ss`)",
            _ => $"`{t.Name}`",
        };
    }

    private static string Format(object? value, bool noInstance)
    {
        return value switch
        {
            _ when noInstance => "",
            null => "(unset)",
            string s => s.Length == 0 ? "(empty)" : $"`{s}`",
            bool b => b ? "`true`" : "`false`",
            Enum e => $"`{EnumWords.Token(e)}`",
            TimeSpan ts => $"`{ts.ToString("c", CultureInfo.InvariantCulture)}`",
            IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
            IDictionary d => d.Count == 0 ? "(empty)" : string.Join(", ", d.Keys.Cast<object>().Select(k => $"`{k}={d[k]}`")),
            IEnumerable list => list.Cast<object?>().ToList() is { Count: > 0 } items
                ? string.Join(", ", items.Select(i => i is TimeSpan ts ? $"`{ts.ToString("c", CultureInfo.InvariantCulture)}`" : $"`{Convert.ToString(i, CultureInfo.InvariantCulture)}`"))
                : "(empty)",
            _ => $"`{value}`",
        };
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>XML doc comments of the options' assemblies (SenderAuth.Server.xml, SenderAuth.Store.xml, SenderAuth.xml beside the assemblies).</summary>
    private static partial class Docs
    {
        private static readonly Dictionary<Assembly, Dictionary<string, string>> Loaded = [];

        public static string? Summary(MemberInfo member)
        {
            var id = member switch
            {
                Type t => "T:" + t.FullName,
                PropertyInfo p => $"P:{p.DeclaringType!.FullName}.{p.Name}",
                _ => throw new ArgumentOutOfRangeException(nameof(member)),
            };
            var assembly = member is Type type ? type.Assembly : member.DeclaringType!.Assembly;
            var docs = Of(assembly);
            // A positional record's property is documented by the record's <param>.
            return docs.GetValueOrDefault(id.Replace('+', '.'))
                ?? (member is PropertyInfo property ? docs.GetValueOrDefault($"T:{property.DeclaringType!.FullName}#{property.Name}") : null);
        }

        private static Dictionary<string, string> Of(Assembly assembly)
        {
            lock (Loaded)
            {
                if (!Loaded.TryGetValue(assembly, out var docs))
                {
                    var file = DocumentationFile(assembly) ?? throw new DocumentationMissingException(assembly.GetName().Name ?? "?", [.. DocumentationCandidates(assembly)]);
                    var members = XDocument.Load(file).Descendants("member").ToList();
                    docs = members.Where(m => m.Element("summary") is not null)
                        .ToDictionary(m => (string)m.Attribute("name")!, m => Text(m.Element("summary")!), StringComparer.Ordinal);
                    foreach (var m in members.Where(m => ((string)m.Attribute("name")!).StartsWith("T:", StringComparison.Ordinal)))
                    {
                        foreach (var param in m.Elements("param"))
                        {
                            docs[$"{(string)m.Attribute("name")!}#{(string)param.Attribute("name")!}"] = Text(param);
                        }
                    }
                    Loaded[assembly] = docs;
                }
                return docs;
            }
        }

        /// <summary>A summary as one line of Markdown: cref names kept short, code in backticks.</summary>
        private static string Text(XElement summary)
        {
            var text = new StringBuilder();
            foreach (var node in summary.Nodes())
            {
                text.Append(node switch
                {
                    XText t => t.Value,
                    XElement { Name.LocalName: "see" or "seealso" } e => $"`{Short((string?)e.Attribute("cref") ?? (string?)e.Attribute("langword") ?? e.Value)}`",
                    XElement { Name.LocalName: "c" } e => $"`{e.Value}`",
                    XElement { Name.LocalName: "paramref" or "typeparamref" } e => $"`{(string?)e.Attribute("name")}`",
                    XElement e => e.Value,
                    _ => "",
                });
            }
            return Spaces().Replace(text.ToString(), " ").Trim();
        }

        private static string Short(string cref) => cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.LastIndexOf('.') + 1)..] : cref;

        [GeneratedRegex(@"\s+")]
        private static partial Regex Spaces();
    }

    private const string Intro = """
        # Configuration reference

        <!-- Generated from the options classes (ServerOptions in src/SenderAuth.Server, StoreOptions in
             src/SenderAuth.Store, and the sections below them) by
             `./senderauth config-reference > docs/configuration.md`; ConfigurationReferenceTests fails when this file
             is not current. Edit the XML doc comments and attributes, not this file. -->

        Every setting of the server (`senderauth serve`). Each can be given, highest precedence first:

        - on the command line: `--SenderAuth:Section:Key=value` (a few have short switches: `--data`, `--dns`,
          `--database`, `--connection-string`, `--publish`, `--resolver`, `--milter`);
        - as an environment variable: the key with `__` for `:`, e.g. `SenderAuth__Metrics__Prometheus=false`;
        - in `appsettings.json` beside the program (its shipped values are the defaults below).

        Lists take one key per item (`SenderAuth__Provider__SendingIps__0`, `…__1`); a list given replaces the default
        list. Modes are the words listed (the tokens JSON writes, docs/json.md); the member name in any case is also read
        (`passunsigned` for `pass-unsigned`), as before. The server checks every setting at start and lists every problem at once
        (exit 2): the range column is enforced from the same attribute that fills it; rules between settings
        (e.g. `LeaseSeconds` longer than `TimeoutSeconds`) are checked by each section's validator and named in its
        message. Time spans are written `d.hh:mm:ss` (`00:05:00` is five minutes, `1.00:00:00` a day).

        """;

    private const string Outside = """

        ## Outside the `SenderAuth` section

        | key | default | environment variable | description |
        |---|---|---|---|
        | `SenderAuth:OperatorKey`, `SenderAuth:MasterKey` | (unset) | `SENDERAUTH_OPERATOR_KEY`, `SENDERAUTH_MASTER_KEY` | the two secrets also have these short names (see the `SenderAuth` section above) |
        | `urls` (`--urls`) | `http://127.0.0.1:8080` | `ASPNETCORE_URLS` | where the API, the dashboard and `/metrics` listen (ASP.NET Core's own setting) |
        | `Logging:Format` | text | `Logging__Format` | `json`: one JSON object per log line with scopes (trace id), see [metrics.md](metrics.md), "Logs" |
        | `Logging:LogLevel:CATEGORY` | `appsettings.json` | `Logging__LogLevel__CATEGORY` | ASP.NET Core's log levels per category (`Default`, `Microsoft.AspNetCore`, `SenderAuth.Server.Milter`, …) |
        | `OTEL_EXPORTER_OTLP_ENDPOINT` | (unset) | `OTEL_EXPORTER_OTLP_ENDPOINT` | push metrics by OTLP to this collector, beside `/metrics`; OpenTelemetry's other `OTEL_*` variables apply |

        """;
}

/// <summary>
/// The configuration reference cannot be made: an assembly's XML documentation (the settings' descriptions) is not
/// where the build puts it. An <see cref="IOException"/>: the server's program prints it as one line, exit 2.
/// </summary>
public sealed class DocumentationMissingException(string assemblyName, IReadOnlyList<string> lookedAt)
    : FileNotFoundException($"the XML documentation of {assemblyName} is missing (looked for {string.Join(", ", lookedAt)}): the configuration reference takes its descriptions from it; "
        + "build or publish with GenerateDocumentationFile, which leaves the .xml files beside the program", lookedAt.Count > 0 ? lookedAt[^1] : null)
{
    public string AssemblyName { get; } = assemblyName;
}
