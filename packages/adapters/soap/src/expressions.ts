import jsonata from 'jsonata';
import { compileMapping, type MappingExpression, type ValidationIssue } from '@lgx/core';

/** Compiles a JSONata mapping from the config, or records an issue naming `path`. */
export function compile(source: string, path: string, issues: ValidationIssue[]): MappingExpression | undefined {
  return compileMapping(jsonata, source, path, issues);
}
