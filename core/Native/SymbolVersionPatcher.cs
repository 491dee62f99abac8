namespace Msr.Core.Native;

/// <summary>
/// Makes a shared library loadable on a system whose C++ runtime is older than the one it was
/// linked against, when (and only when) every missing symbol version guards nothing but
/// link-time markers that are never called.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> was linked with GCC 13 and so requires
/// <c>GLIBCXX_3.4.32</c>; Debian 12 ships GCC 12's libstdc++ (up to 3.4.30). The only symbol
/// bound to that version is <c>_ZSt21ios_base_library_initv</c>, a marker GCC 13 emits to force
/// iostream initialisation ordering; nothing calls it. Setting <c>VER_FLG_WEAK</c> on that one
/// requirement tells the loader the version is optional, so the library loads and runs unchanged.
/// Any other missing version is refused with a precise message instead of being papered over.
/// </remarks>
public static class SymbolVersionPatcher
{
    /// <summary>Symbols whose missing version is safe to weaken: they are never called at run time.</summary>
    public static readonly IReadOnlySet<string> HarmlessMarkers =
        new HashSet<string>(StringComparer.Ordinal) { "_ZSt21ios_base_library_initv" };

    /// <summary>Requirements of <paramref name="library"/> that this system cannot satisfy and that are not weak yet.</summary>
    public static IReadOnlyList<VersionNeed> UnsatisfiedNeeds(string library, Func<string, string?> locateDependency)
    {
        var definedCache = new Dictionary<string, IReadOnlySet<string>?>();
        var unsatisfied = new List<VersionNeed>();
        foreach (var need in ElfVersionNeeds.ReadNeeds(library))
        {
            if (need.Weak) continue;
            if (!definedCache.TryGetValue(need.Library, out var defined))
            {
                var provider = locateDependency(need.Library);
                defined = definedCache[need.Library] = provider is null ? null : ElfVersionNeeds.ReadDefinedVersions(provider);
            }
            // A dependency we cannot find (e.g. libtorch.so beside the library) is left to the loader.
            if (defined is not null && !defined.Contains(need.Version)) unsatisfied.Add(need);
        }
        return unsatisfied;
    }

    /// <summary>
    /// Weakens the given requirements in place (atomically: a patched copy replaces the file).
    /// Throws if a requirement guards a symbol that may be called.
    /// </summary>
    public static void Weaken(string library, IReadOnlyList<VersionNeed> needs)
    {
        foreach (var need in needs)
        {
            var risky = need.Symbols.Where(s => !HarmlessMarkers.Contains(s)).ToList();
            if (risky.Count > 0)
                throw new PlatformNotSupportedException(
                    $"{library} needs {need.Version} from {need.Library}, which this system lacks, and uses it for " +
                    $"{string.Join(", ", risky)}; that cannot be patched safely. Install a newer {need.Library} (GCC 13 or later).");
        }
        if (needs.Count == 0) return;

        var bytes = File.ReadAllBytes(library);
        foreach (var need in needs)
        {
            int at = checked((int)need.FlagsOffset);
            ushort flags = (ushort)(bytes[at] | bytes[at + 1] << 8);
            flags |= ElfVersionNeeds.VerFlagWeak;
            bytes[at] = (byte)flags;
            bytes[at + 1] = (byte)(flags >> 8);
        }
        // Write beside the target and rename over it: a process that has the old file mapped keeps
        // its inode, and a concurrent patcher writes identical bytes.
        var temp = $"{library}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, library, overwrite: true);
    }

    /// <summary>Finds a system library the way the loader would for this process.</summary>
    public static string? LocateSystemLibrary(string fileName)
    {
        // Prefer the copy already mapped into this process (the .NET host links libstdc++).
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash < 0) continue;
                var path = line[slash..];
                if (Path.GetFileName(path) == fileName && File.Exists(path)) return path;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }

        string[] dirs = ["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
                         "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"];
        return dirs.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);
    }
}
