using Msr.Core.Models;

namespace Msr.Core.Training;

/// <summary>
/// Trained weights on disk: every parameter and persistent buffer of a model (TorchSharp's format, keyed by
/// the modules' field names). Non-persistent buffers (index constants) are rebuilt by the constructor.
/// </summary>
public static class ModelWeights
{
    /// <summary>Writes the weights atomically (temp file, then rename), so a reader never sees half a file.</summary>
    public static void Save(ScenarioModel model, string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            model.save(temp);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Loads weights saved by <see cref="Save"/> into a model built with the same configuration.</summary>
    /// <exception cref="InvalidDataException">The file is missing or does not fit the model (names the file).</exception>
    public static void Load(ScenarioModel model, string path)
    {
        if (!File.Exists(path)) throw new InvalidDataException($"weights file '{path}' does not exist");
        try
        {
            model.load(path, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"weights file '{path}' does not fit model '{model.GetName()}': {e.Message}", e);
        }
    }
}
