using System.Buffers.Binary;
using System.Text;

namespace Msr.Core.Reports;

/// <summary>
/// One look for every figure and the HTML page: one font family, print resolution for PNGs, SVGs that scale. Kept in one
/// place so that a figure and the page around it cannot drift apart.
/// </summary>
public static class ReportStyle
{
    /// <summary>The font of every figure (ScottPlot's default here is a serif face, which clashed with the page).</summary>
    public const string FontFamily = "DejaVu Sans";

    /// <summary>The same family with fallbacks, for CSS and for the SVG text of figures shown where it is not installed.</summary>
    public const string FontStack = "'DejaVu Sans', Verdana, Arial, sans-serif";

    /// <summary>Resolution PNG figures are rendered at and declare (pHYs chunk).</summary>
    public const int PrintDpi = 300;

    /// <summary>ScottPlot lays out in CSS pixels (96 per inch); PNGs are drawn this many times larger.</summary>
    public const double PngScale = PrintDpi / 96.0;

    /// <summary>
    /// The SVG ScottPlot wrote, made to scale and to use the page's font: a viewBox on the root (without one an SVG in an
    /// &lt;img&gt; is clipped, not shrunk, when the page is narrower) and every font-family set to <see cref="FontStack"/>.
    /// </summary>
    public static string PolishSvg(string svg, int width, int height)
    {
        string root = $"width=\"{width}\" height=\"{height}\"";
        int at = svg.IndexOf(root, svg.IndexOf("<svg", StringComparison.Ordinal), StringComparison.Ordinal);
        if (at >= 0 && !svg.Contains("viewBox=", StringComparison.Ordinal))
            svg = svg.Insert(at + root.Length, $" viewBox=\"0 0 {width} {height}\"");
        return svg.Replace($"font-family=\"{FontFamily}\"", $"font-family=\"{FontStack}\"", StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="png"/> with a pHYs chunk declaring <paramref name="dpi"/> (as pixels per metre) right after IHDR, so
    /// that word processors and LaTeX place it at its print size instead of assuming 72 or 96 dpi. Any pHYs already there
    /// is replaced.
    /// </summary>
    public static byte[] WithDpi(byte[] png, int dpi)
    {
        var chunks = Chunks(png);
        if (chunks.Count == 0 || chunks[0].Type != "IHDR") throw new ArgumentException("not a PNG image (no IHDR chunk first)", nameof(png));
        uint perMetre = (uint)Math.Round(dpi / 0.0254);
        var data = new byte[9];
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(0), perMetre);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), perMetre);
        data[8] = 1; // unit: metre
        using var output = new MemoryStream(png.Length + 21);
        output.Write(png, 0, 8);
        foreach (var c in chunks)
        {
            if (c.Type == "pHYs") continue;
            output.Write(png, c.Offset, c.Length);
            if (c.Type == "IHDR") WriteChunk(output, "pHYs", data);
        }
        return output.ToArray();
    }

    /// <summary>The resolution a PNG declares in its pHYs chunk (dots per inch, rounded), or null when it declares none.</summary>
    public static int? DpiOf(byte[] png)
    {
        foreach (var c in Chunks(png))
        {
            if (c.Type != "pHYs") continue;
            var data = png.AsSpan(c.Offset + 8, 9);
            if (data[8] != 1) return null; // aspect ratio only, no unit
            return (int)Math.Round(BinaryPrimitives.ReadUInt32BigEndian(data) * 0.0254);
        }
        return null;
    }

    /// <summary>Width and height in pixels, from the IHDR chunk.</summary>
    public static (int Width, int Height) PixelSizeOf(byte[] png)
    {
        var chunks = Chunks(png);
        if (chunks.Count == 0 || chunks[0].Type != "IHDR") throw new ArgumentException("not a PNG image (no IHDR chunk first)", nameof(png));
        var data = png.AsSpan(chunks[0].Offset + 8);
        return ((int)BinaryPrimitives.ReadUInt32BigEndian(data), (int)BinaryPrimitives.ReadUInt32BigEndian(data[4..]));
    }

    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Offset, whole length (length + type + data + CRC) and type of each chunk.</summary>
    private static List<(int Offset, int Length, string Type)> Chunks(byte[] png)
    {
        var chunks = new List<(int, int, string)>();
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature)) return chunks;
        int at = 8;
        while (at + 12 <= png.Length)
        {
            int length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at));
            if (length < 0 || at + 12 + length > png.Length) throw new ArgumentException($"truncated PNG chunk at byte {at}", nameof(png));
            chunks.Add((at, 12 + length, Encoding.ASCII.GetString(png, at + 4, 4)));
            at += 12 + length;
        }
        return chunks;
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, (uint)data.Length);
        output.Write(word);
        var typed = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        output.Write(word);
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 PNG chunks carry (ISO 3309, over type and data).</summary>
    internal static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
