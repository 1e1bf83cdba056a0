import { describe, expect, it } from 'vitest';
import { prepareWhatsappTemplate } from './template-parameters.js';

// The definition of channels.md §A.6: a text header, two body placeholders, a footer, quick reply and URL buttons.
const followUp = [
  { type: 'HEADER', format: 'TEXT', text: 'Order {{1}}' },
  { type: 'BODY', text: 'Hi {{1}}, we have an update on ticket {{2}}.' },
  { type: 'FOOTER', text: 'Example Support' },
  { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Reopen' }, { type: 'URL', text: 'Track', url: 'https://track.example.org/{{1}}' }] },
];

const problemsOf = (components: unknown, parameters: Record<string, unknown>) => {
  const result = prepareWhatsappTemplate(components, parameters);
  if (result.ok) throw new Error('expected the parameters to be refused');
  return result.problems;
};

describe('checking template parameters before a template is queued', () => {
  it('fills every placeholder and keeps the parameters in the form the sender uses, with button types from the definition', () => {
    const result = prepareWhatsappTemplate(followUp, { header: ['A-1001'], body: ['Test Customer', 'T-123'], buttons: [{ index: 1, value: 'A-1001' }, { index: 0, value: 'REOPEN_T-123' }] });
    expect(result).toEqual({
      ok: true,
      parameters: {
        header: ['A-1001'],
        body: ['Test Customer', 'T-123'],
        buttons: [
          { index: 0, type: 'quick_reply', value: 'REOPEN_T-123' },
          { index: 1, type: 'url', value: 'A-1001' },
        ],
      },
      text: 'Order A-1001\n\nHi Test Customer, we have an update on ticket T-123.\n\nExample Support',
    });
  });

  it('positional values may be given by number, and fill {{1}} first even when the text uses {{2}} first', () => {
    const result = prepareWhatsappTemplate([{ type: 'BODY', text: 'Ticket {{2}} for {{1}}' }], { body: { 2: 'T-9', 1: 'Jane' } });
    expect(result).toEqual({ ok: true, parameters: { body: ['Jane', 'T-9'] }, text: 'Ticket T-9 for Jane' });
  });

  it('a NAMED template takes an object by name (or a list in order of appearance) and keeps the names', () => {
    const named = [{ type: 'BODY', text: 'Hi {{first_name}}, order {{order}} is late.' }];
    const expected = { ok: true, parameters: { body: { first_name: 'Jane', order: 'A-1' } }, text: 'Hi Jane, order A-1 is late.' };
    expect(prepareWhatsappTemplate(named, { body: { order: 'A-1', first_name: 'Jane' } })).toEqual(expected);
    expect(prepareWhatsappTemplate(named, { body: ['Jane', 'A-1'] })).toEqual(expected);
  });

  it('a template without variables takes no parameters; quick reply payloads are optional', () => {
    expect(prepareWhatsappTemplate([{ type: 'BODY', text: 'Thanks for writing!' }], {})).toEqual({ ok: true, parameters: {}, text: 'Thanks for writing!' });
    const quick = [{ type: 'BODY', text: 'Still there?' }, { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }] }];
    expect(prepareWhatsappTemplate(quick, {})).toMatchObject({ ok: true, parameters: {} });
  });

  it('a media header takes one link or uploaded id of its kind', () => {
    const receipt = [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Your receipt.' }];
    expect(prepareWhatsappTemplate(receipt, { header: [{ type: 'document', link: 'https://files.example.org/r.pdf' }] })).toMatchObject({
      ok: true,
      parameters: { header: [{ type: 'document', link: 'https://files.example.org/r.pdf' }] },
      text: 'Your receipt.',
    });
    expect(prepareWhatsappTemplate(receipt, { header: [{ id: '1479537139650973' }] })).toMatchObject({ ok: true, parameters: { header: [{ type: 'document', id: '1479537139650973' }] } });
    for (const header of [undefined, [], [{ type: 'image', link: 'https://x.example/a.png' }], [{ type: 'document', link: 'http://plain.example/r.pdf' }], ['A-1'], [{ type: 'document', id: '1', link: 'https://x.example/r.pdf' }]]) {
      expect(problemsOf(receipt, { header }), JSON.stringify(header)).toEqual([expect.stringContaining('The header of this template is a document')]);
    }
  });

  it('the wrong number of values is refused naming the placeholders', () => {
    expect(problemsOf(followUp, { header: ['A-1001'], body: ['Test Customer'], buttons: [{ index: 1, value: 'A' }] })).toEqual([
      'The body takes 2 values ({{1}}, {{2}}); 1 was given.',
    ]);
    expect(problemsOf(followUp, { header: ['A-1001'], body: ['a', 'b', 'c'], buttons: [{ index: 1, value: 'A' }] })).toEqual(['The body takes 2 values ({{1}}, {{2}}); 3 were given.']);
    expect(problemsOf([{ type: 'BODY', text: 'Hello!' }], { body: ['extra'] })).toEqual(['The body of this template takes no values.']);
  });

  it('missing, unknown and mistyped values are each named', () => {
    expect(problemsOf(followUp, {})).toEqual([
      'The header takes {{1}}; give them as a list in that order.',
      'The body takes {{1}}, {{2}}; give them as a list in that order.',
      'Button 1 needs a value (the end of its link).',
    ]);
    expect(problemsOf(followUp, { header: [7], body: { 1: 'Jane', 3: 'x' }, buttons: [{ index: 0, type: 'url', value: 'R' }, { index: 1, value: '  ' }, { index: 5, value: 'x' }], footer: ['no'] })).toEqual([
      'Only header, body and buttons take values; "footer" is not one of them.',
      '{{1}} in the header needs a text value.',
      'The body has no {{3}}; it takes {{1}}, {{2}}.',
      '{{2}} in the body needs a text value.',
      'Button 0 is a quick_reply button, not url.',
      'Button 1 needs a text value.',
      'Button 5 of this template takes no value.',
    ]);
  });

  it('refuses text Meta would refuse: line breaks, tabs and runs of spaces', () => {
    const body = [{ type: 'BODY', text: 'Hi {{1}}' }];
    for (const value of ['Jane\nDoe', 'Jane\tDoe', 'Jane      Doe']) {
      expect(problemsOf(body, { body: [value] })).toEqual(['{{1}} in the body cannot contain line breaks, tabs or more than four spaces in a row.']);
    }
  });
});
