// What Twilio reads from our <Connect><Stream>: its <Parameter>s become the start message's customParameters
// (the text and the one-time grant the host issued for the call).
import { XMLParser } from 'fast-xml-parser';

type Param = { name: string; value: string };

export function streamParameters(twiml: string): Record<string, string> {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(twiml) as {
    Response?: { Connect?: { Stream?: { Parameter?: Param | Param[] } } };
  };
  const raw = doc.Response?.Connect?.Stream?.Parameter;
  if (!raw) throw new Error(`no <Connect><Stream> with parameters in: ${twiml.slice(0, 200)}`);
  return Object.fromEntries((Array.isArray(raw) ? raw : [raw]).map((p) => [p.name, String(p.value)]));
}
