using System.Text;

namespace Msr.Core;

/// <summary>
/// The one writer of Markdown pipe tables in Msr: compact (for reports, pasted into papers) or padded into
/// aligned columns (for terminals). Columns are right-aligned when told, or, by default, when every cell
/// of the column looks numeric.
/// </summary>
public static class MarkdownTable
{
    /// <returns>The table, one line per row, each ending in '\n'.</returns>
    public static string Render(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows,
        IReadOnlyList<bool>? rightAligned = null, bool padded = false)
    {
        var body = rows.ToList();
        foreach (var row in body)
            if (row.Count != header.Count)
                throw new ArgumentException($"a row has {row.Count} cells for {header.Count} columns: {string.Join(" | ", row)}");
        var right = rightAligned ?? [.. Enumerable.Range(0, header.Count).Select(c => body.Count > 0 && body.All(r => LooksNumeric(r[c])))];
        var widths = Enumerable.Range(0, header.Count)
            .Select(c => padded ? body.Select(r => r[c].Length).Append(header[c].Length).Append(3).Max() : 3).ToArray();

        var sb = new StringBuilder();
        void Line(IReadOnlyList<string> cells)
        {
            var shown = cells.Select((cell, c) => !padded ? cell : right[c] ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]));
            sb.Append('|').Append(string.Join("|", shown.Select(cell => cell.Length == 0 ? " " : $" {cell} "))).Append("|\n");
        }
        Line(header);
        // Padded rules fill their column; compact rules are the shortest valid ones.
        var rules = widths.Select((w, c) => !padded ? (right[c] ? "---:" : "---") : right[c] ? new string('-', w - 1) + ":" : new string('-', w));
        sb.Append(padded ? "| " + string.Join(" | ", rules) + " |\n" : "|" + string.Join("|", rules) + "|\n");
        foreach (var row in body) Line(row);
        return sb.ToString();
    }

    static bool LooksNumeric(string cell) =>
        cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] == '–' || (cell[0] == '-' && cell.Length > 1 && char.IsDigit(cell[1])));
}
