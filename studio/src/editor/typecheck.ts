import { monaco, TS_MARKER_OWNER } from './monacoSetup.ts';
import type { PluginProject } from './PluginProject.ts';

/** A type or syntax error in one of a project's files. */
export interface Problem {
  path: string;
  line: number;
  column: number;
  message: string;
  code: number;
}

type TsDiagnostic = monaco.typescript.Diagnostic;

function flatten(message: TsDiagnostic['messageText']): string {
  if (typeof message === 'string') return message;
  const parts: string[] = [];
  const walk = (chain: typeof message, depth: number): void => {
    parts.push(`${'  '.repeat(depth)}${chain.messageText}`);
    for (const next of chain.next ?? []) walk(next, depth + 1);
  };
  walk(message, 0);
  return parts.join('\n');
}

const severity = (category: number): monaco.MarkerSeverity =>
  category === 1 ? monaco.MarkerSeverity.Error : category === 0 ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Info;

/**
 * Asks the TypeScript worker for every file's syntactic and semantic diagnostics, shows them as
 * markers right away (without waiting for Monaco's debounced check) and returns the errors: a
 * deploy goes ahead only when there are none.
 */
export async function typecheckProject(project: PluginProject): Promise<Problem[]> {
  const models = project.models();
  const getWorker = await monaco.typescript.getTypeScriptWorker();
  const worker = await getWorker(...models.map((m) => m.uri));
  const problems: Problem[] = [];
  for (const model of models) {
    const uri = model.uri.toString();
    const [syntactic, semantic] = await Promise.all([worker.getSyntacticDiagnostics(uri), worker.getSemanticDiagnostics(uri)]);
    const markers: monaco.editor.IMarkerData[] = [];
    for (const d of [...syntactic, ...semantic]) {
      const start = model.getPositionAt(d.start ?? 0);
      const end = model.getPositionAt((d.start ?? 0) + (d.length ?? 0));
      const message = flatten(d.messageText);
      markers.push({
        severity: severity(d.category),
        message,
        code: String(d.code),
        startLineNumber: start.lineNumber,
        startColumn: start.column,
        endLineNumber: end.lineNumber,
        endColumn: end.column,
      });
      if (d.category === 1)
        problems.push({ path: project.pathOf(model) ?? uri, line: start.lineNumber, column: start.column, message, code: d.code });
    }
    monaco.editor.setModelMarkers(model, TS_MARKER_OWNER, markers);
  }
  return problems;
}
