using System.Buffers.Binary;
using System.Text;

namespace Msr.Core.Native;

/// <summary>One symbol-version requirement (an <c>Elf64_Vernaux</c> entry of <c>.gnu.version_r</c>).</summary>
/// <param name="Library">The needed library that must define the version (e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Version">The version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Index">The version index that <c>.gnu.version</c> uses for symbols bound to it.</param>
/// <param name="Weak">Whether <c>VER_FLG_WEAK</c> is set: the loader then tolerates its absence.</param>
/// <param name="FlagsOffset">File offset of the entry's <c>vna_flags</c> field.</param>
/// <param name="Symbols">Dynamic symbols of the file bound to this version.</param>
public sealed record VersionNeed(
    string Library, string Version, int Index, bool Weak, long FlagsOffset, IReadOnlyList<string> Symbols);

/// <summary>
/// A minimal reader of the parts of a 64-bit little-endian ELF shared object that the dynamic
/// loader uses to check symbol versions: <c>.gnu.version_r</c> (what the file needs),
/// <c>.gnu.version_d</c> (what a library defines), <c>.dynsym</c> and <c>.gnu.version</c>
/// (which symbols use which version). Nothing here executes or maps the file.
/// </summary>
public static class ElfVersionNeeds
{
    const uint ShtDynsym = 11;
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const uint ShtGnuVersym = 0x6fffffff;
    /// <summary>The <c>vna_flags</c> bit that makes a missing version non-fatal at load time.</summary>
    public const ushort VerFlagWeak = 0x2;

    readonly record struct Section(uint Type, long Offset, long Size, int Link);

    /// <summary>Every version requirement in the file, with the symbols bound to each.</summary>
    public static IReadOnlyList<VersionNeed> ReadNeeds(string path)
    {
        var elf = File.ReadAllBytes(path);
        var sections = ReadSections(elf, path);
        var verneed = sections.FirstOrDefault(s => s.Type == ShtGnuVerneed);
        if (verneed.Type == 0) return [];
        var strtab = sections[verneed.Link];
        var symbolsByIndex = SymbolsByVersionIndex(elf, sections);

        var needs = new List<VersionNeed>();
        long entry = verneed.Offset;
        while (true)
        {
            int count = U16(elf, entry + 2);
            string file = CString(elf, strtab.Offset + U32(elf, entry + 4));
            long aux = entry + U32(elf, entry + 8);
            for (int i = 0; i < count; i++)
            {
                int flags = U16(elf, aux + 4);
                int index = U16(elf, aux + 6);
                string name = CString(elf, strtab.Offset + U32(elf, aux + 8));
                needs.Add(new VersionNeed(file, name, index, (flags & VerFlagWeak) != 0, aux + 4,
                    symbolsByIndex.TryGetValue(index, out var syms) ? syms : []));
                uint nextAux = U32(elf, aux + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            uint next = U32(elf, entry + 12);
            if (next == 0) break;
            entry += next;
        }
        return needs;
    }

    /// <summary>The version names a library defines (its <c>.gnu.version_d</c>).</summary>
    public static IReadOnlySet<string> ReadDefinedVersions(string path)
    {
        var elf = File.ReadAllBytes(path);
        var sections = ReadSections(elf, path);
        var verdef = sections.FirstOrDefault(s => s.Type == ShtGnuVerdef);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (verdef.Type == 0) return names;
        var strtab = sections[verdef.Link];
        long entry = verdef.Offset;
        while (true)
        {
            long aux = entry + U32(elf, entry + 12);
            names.Add(CString(elf, strtab.Offset + U32(elf, aux)));
            uint next = U32(elf, entry + 16);
            if (next == 0) break;
            entry += next;
        }
        return names;
    }

    static Dictionary<int, List<string>> SymbolsByVersionIndex(byte[] elf, List<Section> sections)
    {
        var result = new Dictionary<int, List<string>>();
        var dynsym = sections.FirstOrDefault(s => s.Type == ShtDynsym);
        var versym = sections.FirstOrDefault(s => s.Type == ShtGnuVersym);
        if (dynsym.Type == 0 || versym.Type == 0) return result;
        var strtab = sections[dynsym.Link];
        long count = dynsym.Size / 24;
        for (long i = 0; i < count; i++)
        {
            int index = U16(elf, versym.Offset + 2 * i) & 0x7fff;
            if (index <= 1) continue; // 0 = local, 1 = global unversioned
            string name = CString(elf, strtab.Offset + U32(elf, dynsym.Offset + 24 * i));
            if (!result.TryGetValue(index, out var list)) result[index] = list = [];
            list.Add(name);
        }
        return result;
    }

    static List<Section> ReadSections(byte[] elf, string path)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x28));
        int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            sections.Add(new Section(U32(elf, h + 4),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)(h + 24))),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan((int)(h + 32))),
                (int)U32(elf, h + 40)));
        }
        return sections;
    }

    static ushort U16(byte[] b, long at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)at));
    static uint U32(byte[] b, long at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)at));

    static string CString(byte[] b, long at)
    {
        int end = Array.IndexOf(b, (byte)0, (int)at);
        return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
    }
}
