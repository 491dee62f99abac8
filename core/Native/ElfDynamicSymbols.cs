using System.Buffers.Binary;
using System.Text;

namespace Msr.Core.Native;

/// <summary>
/// The dynamic symbol table (<c>.dynsym</c>) of a 64-bit little-endian ELF shared object: which symbols it
/// defines and which it needs from others. Reads only the section headers and the two sections involved, so a
/// 1 GB libtorch_cuda.so costs a few MB of I/O. Nothing here executes or maps the file.
/// </summary>
public sealed class ElfDynamicSymbols
{
    const uint ShtDynsym = 11;
    const uint ShtGnuVersym = 0x6fffffff;
    const int SymbolSize = 24;

    ElfDynamicSymbols(IReadOnlySet<string> defined, IReadOnlySet<string> undefinedUnversioned)
    {
        Defined = defined;
        UndefinedUnversioned = undefinedUnversioned;
    }

    /// <summary>Global and weak symbols the file defines.</summary>
    public IReadOnlySet<string> Defined { get; }

    /// <summary>
    /// Symbols the file needs from another library without a symbol version. System libraries (glibc, libstdc++,
    /// libgcc, libgomp) version their symbols; libtorch and c10 do not, so these are what a libtorch must provide.
    /// </summary>
    public IReadOnlySet<string> UndefinedUnversioned { get; }

    public static ElfDynamicSymbols Read(string path)
    {
        using var file = File.OpenRead(path);
        var header = ReadAt(file, 0, 64);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
            throw new InvalidDataException($"{path}: not an ELF file");
        if (header[4] != 2 || header[5] != 1) throw new InvalidDataException($"{path}: only 64-bit little-endian ELF is supported");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x28));
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3A));
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x3C));
        var table = ReadAt(file, shoff, shentsize * shnum);
        (uint Type, long Offset, long Size, int Link) Section(int i)
        {
            var h = table.AsSpan(i * shentsize);
            return (BinaryPrimitives.ReadUInt32LittleEndian(h[4..]), (long)BinaryPrimitives.ReadUInt64LittleEndian(h[24..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(h[32..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(h[40..]));
        }
        int dynsymIndex = -1, versymIndex = -1;
        for (int i = 0; i < shnum; i++)
        {
            var type = Section(i).Type;
            if (type == ShtDynsym) dynsymIndex = i;
            else if (type == ShtGnuVersym) versymIndex = i;
        }
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var undefined = new HashSet<string>(StringComparer.Ordinal);
        if (dynsymIndex < 0) return new ElfDynamicSymbols(defined, undefined);
        var dynsym = Section(dynsymIndex);
        var symbols = ReadAt(file, dynsym.Offset, (int)dynsym.Size);
        var strings = Section(dynsym.Link);
        var names = ReadAt(file, strings.Offset, (int)strings.Size);
        byte[]? versions = versymIndex < 0 ? null : ReadAt(file, Section(versymIndex).Offset, (int)Section(versymIndex).Size);
        int count = symbols.Length / SymbolSize;
        for (int i = 1; i < count; i++)
        {
            var s = symbols.AsSpan(i * SymbolSize, SymbolSize);
            int binding = s[4] >> 4;                   // 1 global, 2 weak
            if (binding is not (1 or 2)) continue;
            string name = CString(names, (int)BinaryPrimitives.ReadUInt32LittleEndian(s));
            if (name.Length == 0) continue;
            bool isDefined = BinaryPrimitives.ReadUInt16LittleEndian(s[6..]) != 0;     // st_shndx 0 = undefined
            if (isDefined) defined.Add(name);
            else
            {
                int version = versions is null ? 0 : BinaryPrimitives.ReadUInt16LittleEndian(versions.AsSpan(2 * i)) & 0x7fff;
                if (version <= 1 && binding == 1) undefined.Add(name);   // unversioned, strong
            }
        }
        return new ElfDynamicSymbols(defined, undefined);
    }

    static byte[] ReadAt(FileStream file, long offset, int length)
    {
        var buffer = new byte[length];
        file.Position = offset;
        file.ReadExactly(buffer);
        return buffer;
    }

    static string CString(byte[] b, int at)
    {
        int end = Array.IndexOf(b, (byte)0, at);
        return Encoding.ASCII.GetString(b, at, end - at);
    }
}
