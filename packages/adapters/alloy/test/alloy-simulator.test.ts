import { startAlloySimulator, MISSED, OPTIONS, REPORT, type AlloySimulator } from '../src/testing';

let sim: AlloySimulator;
beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${sim.apiKey}`,
      ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const missed = (extra: Array<{ attributeCode: string; value: unknown }> = []) => ({
  designCode: MISSED.design,
  attributes: [
    { attributeCode: MISSED.uprn, value: '100090215480' },
    { attributeCode: MISSED.service, value: [OPTIONS.wasteService.recycling.itemId] },
    { attributeCode: MISSED.scheduledDate, value: '2026-11-17' },
    { attributeCode: MISSED.lgxId, value: 'tx-1' },
    ...extra,
  ],
});

const aqs = (children: unknown[], design = MISSED.design) => ({
  aqs: { type: 'Query', properties: { dodiCode: design, collectionCode: 'Live', attributes: ['all'] }, children },
});

describe('Alloy simulator', () => {
  it('takes the key as a Bearer token or ?token=, and refuses anything else with an Alloy error body', async () => {
    expect((await call('GET', `design/${MISSED.design}`)).status).toBe(200);
    const query = await fetch(`${sim.apiUrl}design/${MISSED.design}?token=${sim.apiKey}`);
    expect(query.status).toBe(200);
    const wrong = await call('GET', `design/${MISSED.design}`, undefined, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toMatchObject({
      errorCode: expect.any(Number),
      errorCodeString: 'InvalidApiKey',
      debugErrorMessage: expect.any(String),
    });
  });

  it('creates an item answering {item} with an id, a signature and the Live collection, and lists it in the item log', async () => {
    const created = await call('POST', 'item', missed());
    expect(created.status).toBe(200);
    const item = created.json.item as Record<string, unknown>;
    expect(item).toMatchObject({
      itemId: expect.stringMatching(/^[0-9a-f]{24}$/),
      designCode: MISSED.design,
      collection: 'Live',
      signature: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    expect(item).not.toHaveProperty('lastEditDate');
    const log = await call('GET', `item-log/item/${String(item.itemId)}`);
    expect(log.json.results).toEqual([expect.objectContaining({ itemId: item.itemId, action: 'Create', date: expect.any(String) })]);
  });

  it.each([
    ['an unknown design', { designCode: 'designs_nothing_000', attributes: [] }, 404, 'DesignNotFound'],
    ['an attribute the design does not have', missed([{ attributeCode: REPORT.hazard, value: true }]), 400, 'AttributeNotInDesign'],
    [
      'a required attribute missing',
      { designCode: MISSED.design, attributes: [{ attributeCode: MISSED.uprn, value: '1' }] },
      400,
      'RequiredAttributeMissing',
    ],
    [
      'a date in another format',
      {
        ...missed(),
        attributes: [
          ...missed().attributes.filter((a) => a.attributeCode !== MISSED.scheduledDate),
          { attributeCode: MISSED.scheduledDate, value: '17/11/2026' },
        ],
      },
      400,
      'InvalidAttributeValue',
    ],
    [
      'a link to an option of another design',
      missed([{ attributeCode: MISSED.status, value: [OPTIONS.reportStatus.reported.itemId] }]),
      400,
      'LinkedItemNotFound',
    ],
    ['text over the attribute length', missed([{ attributeCode: MISSED.notes, value: 'n'.repeat(4001) }]), 400, 'InvalidAttributeValue'],
  ])("refuses %s with Alloy's error body", async (_label, body, status, code) => {
    const res = await call('POST', 'item', body);
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ errorCodeString: code, debugErrorMessage: expect.any(String) });
    expect(sim.state.items.size).toBe(0);
  });

  it('takes geometry as a GeoJSON point [lon, lat] and refuses other shapes', async () => {
    const report = (geometry: unknown) => ({
      designCode: REPORT.design,
      attributes: [
        { attributeCode: REPORT.summary, value: 's' },
        { attributeCode: REPORT.explanation, value: 'e' },
        { attributeCode: REPORT.category, value: [OPTIONS.category.other.itemId] },
        { attributeCode: 'attributes_itemsGeometry', value: geometry },
      ],
    });
    expect((await call('POST', 'item', report({ type: 'Point', coordinates: [0.1218, 52.2053] }))).status).toBe(200);
    expect((await call('POST', 'item', report({ type: 'Point', coordinates: [52.2053, 200] }))).json.errorCodeString).toBe(
      'InvalidAttributeValue',
    );
    expect((await call('POST', 'item', report({ lat: 52.2, lon: 0.12 }))).json.errorCodeString).toBe('InvalidAttributeValue');
  });

  it('updates with the current signature, and answers ItemSignatureMismatch to a stale one', async () => {
    const item = (await call('POST', 'item', missed())).json.item as { itemId: string; signature: string };
    const stale = await call('PUT', `item/${item.itemId}`, {
      attributes: [{ attributeCode: MISSED.notes, value: 'first' }],
      signature: 'ffffffffffffffffffffffff',
    });
    expect(stale.status).toBe(409);
    expect(stale.json.errorCodeString).toBe('ItemSignatureMismatch');
    const ok = await call('PUT', `item/${item.itemId}`, {
      attributes: [{ attributeCode: MISSED.notes, value: 'first' }],
      signature: item.signature,
    });
    expect(ok.status).toBe(200);
    const updated = ok.json.item as { signature: string };
    expect(updated.signature).not.toBe(item.signature);
    expect(sim.item(item.itemId).log.map((e) => e.action)).toEqual(['Create', 'Edit']);
  });

  it('finds items by an attribute value and by lastEditDate windows, counts them and pages them', async () => {
    for (let i = 0; i < 5; i++)
      await call('POST', 'item', {
        ...missed(),
        attributes: missed().attributes.map((a) => (a.attributeCode === MISSED.lgxId ? { ...a, value: `tx-${i}` } : a)),
      });
    const equals = [
      {
        type: 'Equals',
        children: [
          { type: 'Attribute', properties: { attributeCode: MISSED.lgxId } },
          { type: 'String', properties: { value: ['tx-3'] } },
        ],
      },
    ];
    const found = await call('POST', 'aqs/query?page=1&pageSize=10', aqs(equals));
    expect((found.json.results as unknown[]).length).toBe(1);

    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 1000).toISOString();
    const lastEdit = { type: 'ItemProperty', properties: { itemPropertyName: 'lastEditDate' } };
    const window = [
      {
        type: 'And',
        children: [
          { type: 'GreaterThan', children: [lastEdit, { type: 'DateTime', properties: { value: [from] } }] },
          { type: 'LessThan', children: [lastEdit, { type: 'DateTime', properties: { value: [to] } }] },
        ],
      },
    ];
    const count = await call('POST', 'aqs/statistics', {
      aqs: { ...aqs(window).aqs, type: 'MathAggregation', properties: { ...aqs(window).aqs.properties, aggregationType: 'Count' } },
    });
    expect(count.json).toEqual({ results: [{ value: { value: 5 } }] });
    const page2 = await call('POST', 'aqs/query?page=2&pageSize=2', aqs(window));
    expect(page2.json).toMatchObject({ page: 2, pageSize: 2, totalResults: 5 });
    expect((page2.json.results as unknown[]).length).toBe(2);
    const before = await call(
      'POST',
      'aqs/query?page=1&pageSize=10',
      aqs([{ type: 'LessThan', children: [lastEdit, { type: 'DateTime', properties: { value: [from] } }] }]),
    );
    expect(before.json.results).toEqual([]);
  });

  it('refuses AQS it cannot run, naming the node', async () => {
    const res = await call('POST', 'aqs/query?page=1&pageSize=10', aqs([{ type: 'Near', children: [] }]));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errorCodeString: 'InvalidAqs', debugErrorMessage: expect.stringContaining('Near') });
  });

  it('serves designs with their attribute codes, and option items by id', async () => {
    const design = await call('GET', `design/${REPORT.design}`);
    const attributes = (design.json.design as { attributes: Array<{ code: string; options?: { code: string } }> }).attributes;
    expect(attributes.find((a) => a.code === REPORT.category)?.options?.code).toMatch(/^designs_reportCategories_/);
    const option = await call('GET', `item/${OPTIONS.category.lighting.itemId}`);
    expect(option.json.item).toMatchObject({
      itemId: OPTIONS.category.lighting.itemId,
      attributes: [{ attributeCode: 'attributes_itemsTitle', value: 'Street lighting fault' }],
    });
  });

  it('stores uploaded files and answers their file item id', async () => {
    const res = await call('POST', 'file', 'bytes', {
      'content-type': 'image/jpeg',
      'content-disposition': 'attachment; filename="bin.jpg"',
    });
    expect(res.json.fileItemId).toMatch(/^[0-9a-f]{24}$/);
    expect(sim.state.files.get(res.json.fileItemId as string)).toMatchObject({ filename: 'bin.jpg', contentType: 'image/jpeg' });
  });

  it('limits requests a second when asked, answering 429 TooManyRequests with Retry-After', async () => {
    sim.setRequestsPerSecond(2);
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => call('GET', `design/${MISSED.design}`)));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThanOrEqual(1);
      expect(limited[0]!.headers.get('retry-after')).toBe('1');
      expect(limited[0]!.json.errorCodeString).toBe('TooManyRequests');
    } finally {
      sim.setRequestsPerSecond(null);
    }
  });

  it('refuses a rotated key from the moment it changes', async () => {
    const old = sim.apiKey;
    sim.setApiKey('alloy-new-key-22222222222222');
    try {
      expect((await call('GET', `design/${MISSED.design}`, undefined, { authorization: `Bearer ${old}` })).status).toBe(401);
      expect((await call('GET', `design/${MISSED.design}`)).status).toBe(200);
    } finally {
      sim.setApiKey(old);
    }
  });

  it('can make an item and lose the answer, as a dropped connection would', async () => {
    sim.loseNextCreates(1);
    await expect(
      fetch(`${sim.apiUrl}item`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(missed()),
        signal: AbortSignal.timeout(300),
      }),
    ).rejects.toThrow();
    expect(sim.state.items.size).toBe(1);
    expect((await call('POST', 'item', missed())).status).toBe(200);
  });

  it('lets an officer move an item on: new status and note, new signature, an Edit in the log', async () => {
    const item = (await call('POST', 'item', missed())).json.item as { itemId: string; signature: string };
    const edited = sim.setStatus(item.itemId, OPTIONS.collectionStatus.collected.itemId, 'Collected at 14:10');
    expect(edited.attributes[MISSED.status]).toEqual([OPTIONS.collectionStatus.collected.itemId]);
    expect(edited.attributes[MISSED.crewComments]).toBe('Collected at 14:10');
    expect(edited.signature).not.toBe(item.signature);
    expect(edited.log.at(-1)).toMatchObject({ action: 'Edit', username: 'officer' });
  });
});
