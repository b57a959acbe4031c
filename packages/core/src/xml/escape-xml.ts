// Characters XML 1.0 cannot carry at all, even escaped (C0 controls but tab, LF and CR; U+FFFE, U+FFFF).
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text made safe for XML element content and attribute values (either quote): the five predefined
 * entities escaped, and characters XML 1.0 cannot carry dropped, since a document holding one is not
 * well-formed and its receiver would refuse all of it.
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
