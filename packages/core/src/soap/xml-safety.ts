import { PermanentError } from '../errors/adapter-errors';

// A DOCTYPE is the only way into entity declarations, hence into external entities (XXE) and
// entity expansion (billion laughs). SOAP and WSDL never need one, so a document that carries one
// is refused before any parser sees it, whatever the parser would have done with it.
const UNSAFE = /<!\s*(DOCTYPE|ENTITY)/i;

/** `DOCTYPE` or `ENTITY` when the document declares one, else undefined. Works on raw bytes. */
export function findUnsafeXml(xml: string | Uint8Array): 'DOCTYPE' | 'ENTITY' | undefined {
  // latin1 keeps every byte as one character, so ASCII markup is found whatever the real encoding.
  const text = typeof xml === 'string' ? xml : Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength).toString('latin1');
  // UTF-16 and UTF-32 put NULs beside each ASCII character; without them the same pattern applies.
  const candidates = text.includes('\0') ? [text, text.replace(/\0/g, '')] : [text];
  for (const candidate of candidates) {
    const found = UNSAFE.exec(candidate)?.[1];
    if (found !== undefined) return found.toUpperCase() === 'DOCTYPE' ? 'DOCTYPE' : 'ENTITY';
  }
  return undefined;
}

/** Throws PermanentError LGX_ERR_SOAP_UNSAFE_XML when the document declares a DOCTYPE or an entity. */
export function assertSafeXml(xml: string | Uint8Array, what: string): void {
  const found = findUnsafeXml(xml);
  if (found === undefined) return;
  throw new PermanentError(
    `${what} carries an XML ${found} declaration; LGX refuses such documents unread (external entities, entity expansion)`,
    {
      code: 'LGX_ERR_SOAP_UNSAFE_XML',
      details: { declaration: found },
    },
  );
}
