// The PyTorch reader: torch.save files (.pt, .pth, .bin, .ckpt, .tar) in both containers, read with
// the torch dialect of the allowlist pickle VM (injected by the registry: a format family imports no
// other). State dicts and checkpoint dicts become role `weights`, format `pytorch`; whole pickled
// modules are refused (`unsupported`, the classes they need named); TorchScript archives list their
// tensors without running their code (format `torchscript`).
import { ReadError } from '../../io/errors';
import type { BinaryReader, ReaderInput, ReaderResult } from '../reader';
import type { TorchUnpickler } from '../shared/torchValue';
import type { PickleReport } from '../../types';
import { inputOf, viewCheckpoint, weightsOf } from './checkpoint';
import { openTorchFile, sniffTorch, tensorBoundsProblem } from './torchFile';

const BUILTINS = /^(__builtin__|builtins)\./;
/** Classes of a pickled nn.Module: torch's own layers, the training script's, torchvision's models. */
const MODULE_CLASS = /^(__main__\.|torch\.nn\.|torchvision\.models\.|timm\.models\.|transformers\.models\.)/;

/** The reader, given the torch dialect of the pickle VM. */
export function createTorchReader(unpickle: TorchUnpickler): BinaryReader {
  return {
    kind: 'binary',
    name: 'pytorch',
    formats: ['pytorch', 'torchscript'],
    fallbackRole: 'weights',
    sniff: (head, path) => sniffTorch(head, path) !== null,
    async read(input: ReaderInput): Promise<ReaderResult> {
      const { path, size, head, source } = input;
      const file = await openTorchFile(source, path, size, head, unpickle);
      const d = file.data;
      const format = file.torchScript ? 'torchscript' : 'pytorch';
      const pickle: PickleReport = {
        verdict: d.refused.some((r) => r.severity === 'dangerous') ? 'dangerous' : d.refused.length ? 'unsupported' : 'safe',
        globals: d.globals,
        refused: d.refused,
      };
      if (d.error) return { role: 'weights', format, pickle, error: d.error };
      if (d.value === null) {
        // Something was refused: a whole pickled nn.Module (needs the training code's classes) or worse.
        const classes = [...new Set(d.refused.map((r) => r.global))].filter((g) => !BUILTINS.test(g) && !g.startsWith('<'));
        const container = { kind: 'module' as const, container: file.container, stateDictKey: null, metadata: {}, input: null, classes };
        if (pickle.verdict === 'dangerous') {
          const bad = d.refused.filter((r) => r.severity === 'dangerous').map((r) => r.global);
          return {
            role: 'model',
            format,
            pickle,
            torch: container,
            error: {
              code: 'unsafe-pickle',
              message: `${path}: its pickle names ${[...new Set(bad)].join(', ')}, which can run code when torch.load opens it; nothing was loaded`,
            },
          };
        }
        if (!classes.some((c) => MODULE_CLASS.test(c))) {
          // A checkpoint holding some other object: named, nothing built.
          return {
            role: 'weights',
            format,
            pickle,
            torch: { ...container, kind: 'checkpoint' },
            error: {
              code: 'unsupported-pickle',
              message: `${path}: its pickle names ${classes.join(', ') || d.refused.map((r) => r.global).join(', ')}, which this tool does not read (${d.refused[0]?.reason ?? 'not on the allowlist'}); nothing was loaded`,
            },
          };
        }
        return {
          role: 'model',
          format,
          pickle,
          torch: container,
          error: {
            code: 'pytorch-module-pickle',
            message: `${path}: a whole pickled module (torch.save(model)): loading it needs the training code's classes ${classes.join(', ') || '(unnamed)'}, and torch.load would run their code; its weights were not read`,
          },
        };
      }
      const view = viewCheckpoint(d.value);
      if (!view)
        throw new ReadError(
          'not-a-model',
          `${path}: a torch.save file without tensors (${d.value instanceof Map ? `a dict of ${d.value.size} entries` : 'no state dict'})`,
        );
      for (const { name, tensor } of view.tensors) {
        const problem = tensorBoundsProblem(name, tensor, file.storages.get(tensor.storage.key));
        if (problem) throw new ReadError('invalid-pytorch', `${path}: not a readable PyTorch file (${problem})`);
      }
      const weights = weightsOf(view.tensors);
      const classes = file.torchScript ? [...new Set(d.globals.filter((g) => g.startsWith('__torch__.')))] : undefined;
      const result: ReaderResult = {
        role: file.torchScript ? 'model' : 'weights',
        format,
        weights,
        pickle: file.torchScript ? { verdict: 'unsupported', globals: d.globals, refused: [] } : pickle,
        torch: {
          kind: view.kind,
          container: file.container,
          stateDictKey: view.stateDictKey,
          metadata: view.metadata,
          input: inputOf(view.tensors.map((t) => ({ name: t.name, shape: t.tensor.shape }))),
          ...(classes ? { classes } : {}),
          ...(view.otherTensors ? { otherTensors: view.otherTensors } : {}),
        },
      };
      if (view.log) result.log = view.log;
      return result;
    },
  };
}
