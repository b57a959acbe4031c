import { createTransaction, normaliseUprn, validateData, type WasteMissedCollection } from '@lgx/core';

// What the form posted: the UPRN came from an address picker with leading zeros, the date in ISO form.
const form = { uprn: '000100090215480', bin: 'recycling', date: '2026-11-17', out: 'yes', notes: 'Bin was out by 6am.' };

const data: WasteMissedCollection = {
  uprn: normaliseUprn(form.uprn),
  service: form.bin as WasteMissedCollection['service'],
  scheduledDate: form.date,
  containerPresented: form.out === 'yes',
  notes: form.notes,
};

const checked = validateData('waste.missedCollection', data);
if (!checked.ok) {
  for (const issue of checked.issues) console.log(`${issue.path}: ${issue.message} (${issue.rule})`);
  process.exit(1);
}

const tx = createTransaction('waste.missedCollection', checked.value, {
  council: 'E07000223',
  channel: 'web',
  idempotencyKey: 'form-session-7f3a',
});
console.log(JSON.stringify(tx, null, 2));

// And what a mistake looks like: every problem at once, by field.
const wrong = validateData('waste.missedCollection', { uprn: '0123', service: 'bins', scheduledDate: '17/11/2026' });
if (!wrong.ok) for (const issue of wrong.issues) console.log(`refused ${issue.path}: ${issue.message} (${issue.rule})`);
