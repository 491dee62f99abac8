using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>
/// A deep copy of a module's full state, parameters and buffers (BatchNorm running statistics
/// included), for early stopping. TorchSharp's <c>state_dict()</c> hands out live references,
/// so every tensor is cloned and detached from any dispose scope.
/// </summary>
public sealed class ModelSnapshot : IDisposable
{
    readonly Dictionary<string, Tensor> _state;

    ModelSnapshot(Dictionary<string, Tensor> state) => _state = state;

    /// <param name="except">State-dict keys left out: restoring leaves them at their latest value.</param>
    public static ModelSnapshot Capture(nn.Module module, IReadOnlyCollection<string>? except = null)
    {
        using var _ = no_grad();
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (except is not null && except.Contains(name)) continue;
            // detach() returns a new handle: dispose it, keep only the clone.
            using var detached = tensor.detach();
            state[name] = detached.clone().DetachFromDisposeScope();
        }
        return new ModelSnapshot(state);
    }

    public void Restore(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in module.state_dict())
            if (_state.TryGetValue(name, out var saved)) tensor.copy_(saved);
    }

    /// <summary>Writes the snapshot's tensors (name, then tensor in TorchSharp's format), for an epoch checkpoint.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_state.Count);
        foreach (var (name, tensor) in _state)
        {
            writer.Write(name);
            tensor.Save(writer);
        }
    }

    /// <summary>Reads a snapshot written by <see cref="Save"/>; its tensors are put on <paramref name="device"/>.</summary>
    public static ModelSnapshot Load(BinaryReader reader, Device device)
    {
        int count = reader.ReadInt32();
        var state = new Dictionary<string, Tensor>(count);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            using var loaded = TensorExtensionMethods.Load(reader);
            state[name] = loaded.to(device, copy: true).DetachFromDisposeScope();
        }
        return new ModelSnapshot(state);
    }

    public void Dispose()
    {
        foreach (var t in _state.Values) t.Dispose();
        _state.Clear();
    }
}
