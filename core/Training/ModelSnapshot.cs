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

    public void Dispose()
    {
        foreach (var t in _state.Values) t.Dispose();
        _state.Clear();
    }
}
