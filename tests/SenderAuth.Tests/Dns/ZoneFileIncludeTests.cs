using SenderAuth.Dns;

namespace SenderAuth.Tests.Dns;

/// <summary><c>$INCLUDE</c> (RFC 1035 §5.1) within the zone's folder, and the size limits of the reader.</summary>
[Trait("Layer", "engine")]
public sealed class ZoneFileIncludeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sa-zone-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ParseFile_Include_ReadsWithItsOriginAndRestoresOurs()
    {
        Write("sub/hosts.zone", "$TTL 60\nwww A 192.0.2.80\n  TXT \"in include\"\n");
        var main = Write("main.zone", """
            $ORIGIN example.com.
            $TTL 300
            @ A 192.0.2.1
            $INCLUDE sub/hosts.zone shop.example.com.
            $INCLUDE "sub/hosts.zone" ; same file again, origin of this file
              TXT "back in main"
            mail A 192.0.2.25
            """);
        var zone = ZoneFileParser.ParseFile(main);
        var byName = zone.Records.ToLookup(r => r.Name);
        Assert.Equal(60u, byName["www.shop.example.com"].OfType<AddressRecord>().Single().Ttl);
        Assert.Single(byName["www.example.com"].OfType<AddressRecord>());
        // After the include the origin, $TTL and previous owner are this file's again.
        Assert.Equal(300u, byName["mail.example.com"].Single().Ttl);
        Assert.Equal("back in main", byName["example.com"].OfType<TxtRecord>().Single().Text);
    }

    [Fact]
    public void ParseFile_IncludeEscapingTheFolder_IsRefused()
    {
        var outside = Write("../" + Path.GetFileName(_dir) + "-outside.zone", "x A 192.0.2.1\n");
        try
        {
            var main = Write("main.zone", $"$ORIGIN example.com.\n$INCLUDE ../{Path.GetFileName(outside)}\n");
            var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(main));
            Assert.Equal((main, 2, 10), (e.FileName, e.Line, e.Column));
            Assert.Contains("outside the zone folder", e.Reason, StringComparison.Ordinal);
            var absolute = Write("abs.zone", "$INCLUDE /etc/passwd\n");
            Assert.Contains("outside the zone folder", Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(absolute)).Reason, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public void ParseFile_IncludeThroughALinkLeavingTheFolder_IsRefused()
    {
        Directory.CreateSymbolicLink(Path.Combine(_dir, "etc"), "/etc");
        var main = Write("main.zone", "$INCLUDE etc/hostname\n");
        Assert.Contains("outside the zone folder", Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(main)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_IncludeLoop_IsRefusedAtTheInclude()
    {
        Write("b.zone", "$INCLUDE a.zone\n");
        var a = Write("a.zone", "$ORIGIN example.com.\n@ A 192.0.2.1\n$INCLUDE b.zone\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(a));
        Assert.Equal(("b.zone", 1, 10), (e.FileName, e.Line, e.Column));
        Assert.Contains("include loop", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_IncludesNestedTooDeep_AreRefused()
    {
        for (var i = 0; i < 12; i++)
        {
            Write($"d{i}.zone", $"d{i} A 192.0.2.1\n$INCLUDE d{i + 1}.zone\n");
        }
        Write("d12.zone", "end A 192.0.2.2\n");
        var top = Write("top.zone", "$ORIGIN example.com.\n$INCLUDE d0.zone\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(top));
        Assert.Contains($"nested more than {ZoneFileLimits.MaxIncludeDepth} deep", e.Reason, StringComparison.Ordinal);
        Assert.Equal("d7.zone", e.FileName);
    }

    [Fact]
    public void ParseFile_MissingInclude_IsATypedErrorAtTheFileName()
    {
        var main = Write("main.zone", "$ORIGIN example.com.\n$INCLUDE nope.zone\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(main));
        Assert.Equal((2, 10), (e.Line, e.Column));
        Assert.Contains("cannot read nope.zone", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_ErrorInIncludedFile_NamesThatFile()
    {
        Write("bad.zone", "ok A 192.0.2.1\nbad A 300.0.0.1\n");
        var main = Write("main.zone", "$ORIGIN example.com.\n$INCLUDE bad.zone\n");
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(main));
        Assert.Equal(("bad.zone", 2, 7), (e.FileName, e.Line, e.Column));
    }

    [Fact]
    public void ParseFile_MissingFile_IsATypedError()
    {
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.ParseFile(Path.Combine(_dir, "absent.zone")));
        Assert.Contains("cannot read", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseFile_Pipe_IsReadByTheGivenPath()
    {
        // The README's `--zone <(cat a.zone b.zone)`: /dev/fd/N is a link to "pipe:[…]", which names no file.
        using var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        var fd = pipe.ClientSafePipeHandle.DangerousGetHandle().ToInt32();
        pipe.Write("example.com. A 192.0.2.1\n"u8);
        pipe.Close();
        Assert.Single(ZoneFileParser.ParseFile($"/dev/fd/{fd}").Records);
    }

    [Fact]
    public void Parse_LineOverTheLimit_IsRefusedWithItsLine()
    {
        var text = "a TXT ok\n; " + new string('x', ZoneFileLimits.MaxLineLength) + "\n";
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, "example.com."));
        Assert.Equal(2, e.Line);
        Assert.Contains("line longer than", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecordOverTheLimitAcrossLines_IsRefused()
    {
        var line = "\"" + new string('x', 200) + "\"\n";
        var text = "a TXT (\n" + string.Concat(Enumerable.Repeat(line, ZoneFileLimits.MaxEntryLength / line.Length + 2)) + ")\n";
        var e = Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, "example.com."));
        Assert.Contains("record longer than", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TxtDataOver65535Octets_IsRefused()
    {
        var s = "\"" + new string('x', 255) + "\" ";
        var text = "a TXT ( " + string.Concat(Enumerable.Repeat(s, 256)) + ")";
        Assert.Contains("65535 octets", Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, "example.com.")).Reason, StringComparison.Ordinal);
        var fits = "a TXT ( " + string.Concat(Enumerable.Repeat(s, 255)) + ")";
        Assert.Equal(255, Assert.IsType<TxtRecord>(Assert.Single(ZoneFileParser.Parse(fits, "example.com.").Records)).Strings.Count);
    }

    /// <summary>Bytes allocated on this thread by one parse: work measured without a clock. A parse that is
    /// expected to fail must fail with a typed error, one expected to read must read (a record, or the generic type it skips).</summary>
    private static long AllocatedParsing(string text, bool fails)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        if (fails)
        {
            Assert.Throws<ZoneFileException>(() => ZoneFileParser.Parse(text, "example.com."));
        }
        else
        {
            var zone = ZoneFileParser.Parse(text, "example.com.");
            Assert.True(zone.Records.Any() || zone.SkippedTypes.Contains("TYPE65534"), "nothing was read");
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Records, one long escaped name, one long generic RDATA and one long TXT group: 16 times the input
    /// must cost at most about 16 times the allocation (a quadratic step costs 256 times).</summary>
    [Theory]
    [InlineData("records")]
    [InlineData("escaped-name")]
    [InlineData("generic-hex")]
    [InlineData("txt-group")]
    public void Parse_Input_AllocatesLinearly(string shape)
    {
        string Make(int units) => shape switch
        {
            "records" => string.Concat(Enumerable.Range(0, units).Select(i => $"h{i} 60 IN TXT \"v={i}\\059\"\n")),
            "escaped-name" => string.Concat(Enumerable.Repeat(@"\065", units)) + " TXT x\n",
            "generic-hex" => $"a TYPE65534 \\# {units * 2} (" + string.Concat(Enumerable.Repeat(" ABCD", units)) + " )\n",
            _ => "a TXT (" + string.Concat(Enumerable.Repeat(" \"a\\032b\"", units)) + " )\n",
        };
        // A name of a thousand escaped octets is over the 63-octet label limit: refused, after linear work.
        var fails = shape == "escaped-name";
        AllocatedParsing(Make(64), fails); // JIT
        var small = Make(1_000);
        var large = Make(16_000);
        var smallBytes = AllocatedParsing(small, fails);
        var largeBytes = AllocatedParsing(large, fails);
        Assert.True(largeBytes < 2 * 16 * smallBytes, $"16 times the input allocated {largeBytes / (double)smallBytes:0.0} times as much");
        Assert.True(largeBytes < 200L * large.Length, $"{large.Length} characters allocated {largeBytes:N0} bytes");
    }
}
