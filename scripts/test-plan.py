"""What ./run-tests installs for a selection of tests (issue 17, item 7): the Debian packages of the real servers and
peer tools that the selected test classes declare with [Trait("Needs", NAME)].

  test-plan.py --all           every package (the whole suite, as CI runs it)
  test-plan.py < LISTING       the packages of the classes named in `dotnet test --list-tests` output

Prints two lines, `needs: …` and `packages: …` (sorted, space-separated; either may be empty). The need
`senderauth` (the launcher's Release build, no package) tells run-tests to build ./senderauth before the run.
Which tests a filter selects is decided by VSTest itself (run-tests lists them with the user's own --filter), so
this script never parses a filter; it maps listed test names to their classes and the classes to their Needs,
read from the test sources. TestServers.Get refuses to start a server for a class that does not declare it, so a
missing declaration fails that class's tests in every run, including CI's unfiltered one.
"""
import pathlib, re, sys

# Need -> Debian packages. The servers' start scripts (tests/servers/NAME) say which binaries each one runs.
PACKAGES = {
    "knot": ["knot", "knot-dnsutils", "knot-dnssecutils"],
    # The DNSSEC fixtures: a signing Knot behind a validating unbound; ldns-* checks the chain in the tests.
    "unbound": ["knot", "knot-dnsutils", "knot-dnssecutils", "unbound", "ldnsutils"],
    "postgres": ["postgresql"],
    "dovecot": ["dovecot-imapd"],
    "postfix": ["postfix", "swaks"],
    "prometheus": ["prometheus"],
    # Debian's headless Chromium driven by Playwright; axe-core (npm, into .tools/) is injected into every page.
    "chromium": ["chromium", "chromium-driver"],
    # The DKIM peers: dkimpy, OpenDKIM (the libopendkim harness is compiled) and mailauth (npm, into .tools/).
    "peers": ["python3-dkim", "python3-nacl", "python3-dnspython", "opendkim-tools", "libopendkim-dev", "gcc"],
    "dig": ["bind9-dnsutils"],
    # BIND's named-compilezone and named-checkzone, the second independent zone-file reader.
    "bind": ["bind9-utils"],
    "publicsuffix": ["publicsuffix"],
    # The shipped product itself: ./senderauth's Release build (.build/), which the classes that start SenderAuth as a
    # process need (the CLI tests, serve, the shipped-product suite). No package (the .NET SDK builds it); run-tests
    # builds it only when a selected class declares it, so `--filter Layer=engine` spends no Release publish.
    "senderauth": [],
}

# The whole suite installs what it always did: every need above plus what bench/run and hand checks use
# (pyspf, wrk), so `./run-tests` without options prepares a machine for everything.
ALL = sorted({p for ps in PACKAGES.values() for p in ps} | {"python3-spf", "wrk"})

TRAIT = re.compile(r'Trait\("Needs",\s*"([a-z0-9-]+)"\)')
CLASS = re.compile(r'\bclass\s+(\w+)')
NAMESPACE = re.compile(r'^\s*namespace\s+([\w.]+)\s*;')


def declared_needs(root):
    """Class full name -> set of needs, from the [Trait("Needs", …)] attributes just above each class.

    Read line by line with regular expressions, not a C# parser (none ships with Debian's python3, and Roslyn would
    need a build first): the attributes are written one per line above the class, the house's only form, and a class
    whose declaration this misses fails its own tests (TestServers checks the traits xUnit itself read)."""
    needs = {}
    for path in sorted(root.rglob("*.cs")):
        if "/obj/" in str(path) or "/bin/" in str(path):
            continue
        namespace, pending = "", set()
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if m := NAMESPACE.match(line):
                namespace = m.group(1)
            elif stripped.startswith("["):
                pending |= set(TRAIT.findall(stripped))
            elif (m := CLASS.search(stripped)) and not stripped.startswith("//"):
                full = f"{namespace}.{m.group(1)}" if namespace else m.group(1)
                needs.setdefault(full, set()).update(pending)
                pending = set()
            elif stripped and not stripped.startswith("//"):
                pending = set()
    return needs


def classes_of(listing):
    """Test class full names from `dotnet test --list-tests` lines (Namespace.Class.Method or Method(args…))."""
    for line in listing:
        name = line.strip()
        if not name.startswith("SenderAuth.Tests."):
            continue
        name = name.split("(", 1)[0]
        # A nested class is listed as Namespace.Outer+Inner; the sources give it as Namespace.Inner.
        yield re.sub(r"[^.+]+\+", "", name.rsplit(".", 1)[0])


def main(argv):
    if argv[1:] == ["--all"]:
        needs, packages = sorted(PACKAGES), ALL
    elif len(argv) == 1:
        declared = declared_needs(pathlib.Path(__file__).resolve().parent.parent / "tests" / "SenderAuth.Tests")
        unknown = sorted({n for ns in declared.values() for n in ns} - PACKAGES.keys())
        if unknown:
            print(f"test-plan: unknown Needs {', '.join(unknown)} (add them to PACKAGES in {argv[0]})", file=sys.stderr)
            return 2
        needs = sorted({n for c in set(classes_of(sys.stdin)) for n in declared.get(c, ())})
        packages = sorted({p for n in needs for p in PACKAGES[n]})
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print("needs: " + " ".join(needs))
    print("packages: " + " ".join(packages))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
