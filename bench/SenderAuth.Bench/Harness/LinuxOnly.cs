using System.Runtime.Versioning;

// The harness drives Debian's servers and peers, reads /proc and sets Unix file modes: Linux only, as bench/run is.
[assembly: SupportedOSPlatform("linux")]
