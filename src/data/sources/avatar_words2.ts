/**
 * data/sources/avatar_words2.ts — more DiceBear value -> word tables (open-peeps, fun-emoji,
 * big-smile), same conventions as avatar_words.ts.
 */
import type { ExprEntry, HairEntry } from './avatar_words.js';

export const OPEN_PEEPS_HEAD: Record<string, HairEntry> = {
  afro: ['an afro', 'curly'], bangs: ['a bob with bangs', 'medium'], bangs2: ['a bob with bangs', 'medium'],
  bantuKnots: ['bantu knots', 'updo'], bear: ['a bald head', 'bald'], bun: ['a bun and a bow', 'updo'],
  bun2: ['a high bun', 'updo'], buns: ['space buns', 'updo'], cornrows: ['cornrows', 'braids'], cornrows2: ['long braids', 'braids'],
  dreads1: ['short dreadlocks', 'curly'], dreads2: ['dreadlocks', 'curly'], flatTop: ['a flat-top', 'short'],
  flatTopLong: ['a tall flat-top', 'short'], grayBun: ['a bun', 'updo'], grayMedium: ['medium-length hair', 'medium'],
  grayShort: ['short hair', 'short'], hatBeanie: ['+a beanie', 'headwear'], hatHip: ['+a wide-brimmed hat', 'headwear'],
  hijab: ['+a hijab', 'headwear'], long: ['long wavy hair', 'long'], longAfro: ['a big afro', 'curly'],
  longBangs: ['long hair and bangs', 'long'], longCurly: ['long curly hair', 'curly'], medium1: ['a bob', 'medium'],
  medium2: ['medium-length hair', 'medium'], medium3: ['shoulder-length hair', 'medium'], mediumBangs: ['a bob with bangs', 'medium'],
  mediumBangs2: ['wavy hair and bangs', 'medium'], mediumBangs3: ['straight hair and blunt bangs', 'medium'],
  mediumStraight: ['long straight hair', 'long'], mohawk: ['a mohawk', 'mohawk'], mohawk2: ['a spiky mohawk', 'mohawk'],
  noHair1: ['a bald head', 'bald'], noHair2: ['a balding head', 'bald'], noHair3: ['a bald head with a tuft of hair', 'bald'],
  pomp: ['a pompadour', 'short'], shaved1: ['short hair and shaved sides', 'short'], shaved2: ['a buzz cut', 'short'],
  shaved3: ['messy short hair', 'short'], short1: ['short hair', 'short'], short2: ['short hair', 'short'],
  short3: ['short curly hair', 'curly'], short4: ['a quiff', 'short'], short5: ['short messy hair', 'short'],
  turban: ['+a turban', 'headwear'], twists: ['spiky twists', 'curly'], twists2: ['twists', 'curly'],
};
export const OPEN_PEEPS_FACE: Record<string, ExprEntry> = {
  angryWithFang: ['an angry face', 'looking angry', 'angry'], awe: ['an amazed face', 'looking amazed', 'surprised'],
  blank: ['a blank expression', 'staring blankly', 'neutral'], calm: ['a calm smile', 'smiling calmly', 'smile'],
  cheeky: ['a cheeky grin', 'grinning cheekily', 'smile'], concerned: ['a concerned look', 'looking concerned', 'sad'],
  concernedFear: ['a worried look', 'looking worried', 'sad'], contempt: ['a look of contempt', 'looking contemptuous', 'other'],
  cute: ['a cute smile', 'smiling sweetly', 'smile'], cyclops: ['a single cyclops eye', 'with a single cyclops eye', 'other'],
  driven: ['a determined look', 'looking determined', 'neutral'], eatingHappy: ['a happy face', 'looking happy', 'smile'],
  explaining: ['a talking expression', 'talking', 'other'], eyesClosed: ['closed eyes', 'with closed eyes', 'neutral'],
  fear: ['a frightened look', 'looking frightened', 'surprised'], hectic: ['a stressed look', 'looking stressed', 'other'],
  lovingGrin1: ['heart eyes', 'looking lovestruck', 'smile'], lovingGrin2: ['heart eyes and a toothy grin', 'grinning with heart eyes', 'smile'],
  monster: ['a three-eyed monster face', 'with three monster eyes', 'other'], old: ['a wrinkled face', 'looking old', 'other'],
  rage: ['a furious scream', 'screaming with rage', 'angry'], serious: ['a serious expression', 'looking serious', 'neutral'],
  smile: ['a smile', 'smiling', 'smile'], smileBig: ['a big smile', 'smiling broadly', 'smile'],
  smileLOL: ['tears of laughter', 'laughing out loud', 'smile'], smileTeethGap: ['a gap-toothed smile', 'smiling', 'smile'],
  solemn: ['a solemn expression', 'looking solemn', 'neutral'], suspicious: ['a suspicious look', 'looking suspicious', 'other'],
  tired: ['a tired look', 'looking tired', 'other'], veryAngry: ['a very angry frown', 'looking very angry', 'angry'],
};
/** open-peeps accessories (worn). */
export function openPeepsAccessory(name: string): string {
  return name === 'eyepatch' ? 'an eyepatch' : name.startsWith('sunglasses') ? 'sunglasses' : 'glasses';
}
export function openPeepsFacialHair(name: string): string {
  if (name === 'chin') return 'a chin beard';
  if (name.startsWith('full')) return 'a full beard';
  if (name.startsWith('goatee')) return 'a goatee';
  return 'a mustache';
}
export const OPEN_PEEPS_MASK: Record<string, string> = { medicalMask: 'a medical mask', respirator: 'a respirator mask' };

/** fun-emoji eyes: expression entries, or a worn item (string). */
export const FUN_EMOJI_EYES: Record<string, ExprEntry | string> = {
  sad: ['sad eyes', 'with sad eyes', 'sad'], tearDrop: ['a teardrop', 'shedding a tear', 'sad'],
  pissed: ['annoyed eyes', 'looking annoyed', 'angry'], cute: [null, null, 'neutral'], wink: ['a wink', 'winking', 'other'],
  wink2: ['a wink', 'winking', 'other'], plain: [null, null, 'neutral'], glasses: 'glasses',
  closed: ['closed eyes', 'with closed eyes', 'other'], love: ['heart eyes', 'with heart eyes', 'other'],
  stars: ['star eyes', 'with star-shaped eyes', 'other'], shades: 'sunglasses', closed2: ['happy closed eyes', 'with eyes closed happily', 'other'],
  crying: ['tears', 'crying', 'sad'], sleepClose: ['sleepy closed eyes', 'sleeping', 'other'],
};
export const FUN_EMOJI_MOUTH: Record<string, ExprEntry | string> = {
  plain: ['a flat mouth', 'with a flat mouth', 'neutral'], lilSmile: ['a small smile', 'smiling', 'smile'],
  sad: ['a sad mouth', 'looking sad', 'sad'], shy: ['a shy smile', 'smiling shyly', 'smile'], cute: ['a cute smile', 'smiling cutely', 'smile'],
  wideSmile: ['a wide smile', 'smiling widely', 'smile'], shout: ['a shouting mouth', 'shouting', 'surprised'],
  smileTeeth: ['a toothy smile', 'grinning', 'smile'], smileLol: ['a big laughing grin', 'laughing', 'smile'],
  pissed: ['an angry frown', 'looking angry', 'angry'], drip: ['a drooling frown', 'drooling', 'sad'],
  tongueOut: ['a tongue sticking out', 'sticking a tongue out', 'other'], kissHeart: ['a kissing mouth and a heart', 'blowing a kiss', 'other'],
  sick: ['a thermometer in the mouth', 'feeling sick', 'other'], faceMask: 'a face mask',
};

export const BIG_SMILE_HAIR: Record<string, HairEntry> = {
  shortHair: ['short * hair', 'short'], mohawk: ['a * mohawk', 'mohawk'], wavyBob: ['a wavy * bob', 'medium'],
  bowlCutHair: ['a * bowl cut', 'short'], curlyBob: ['a curly * bob', 'curly'], straightHair: ['straight * hair', 'long'],
  braids: ['* braids', 'braids'], shavedHead: ['a shaved head', 'bald'], bunHair: ['a * bun', 'updo'],
  froBun: ['an * afro bun', 'updo'], bangs: ['a * haircut with bangs', 'medium'], halfShavedHead: ['half-shaved * hair', 'short'],
  curlyShortHair: ['short curly * hair', 'curly'],
};
export const BIG_SMILE_ACCESSORY: Record<string, string> = {
  catEars: 'cat ears', glasses: 'glasses', sailormoonCrown: 'a tiara', clownNose: 'a clown nose', sleepMask: 'a sleep mask',
  sunglasses: 'sunglasses', faceMask: 'a face mask', mustache: 'a fake mustache',
};
export const BIG_SMILE_EYES: Record<string, ExprEntry> = {
  cheery: ['cheerful eyes', 'with cheerful eyes', 'smile'], normal: [null, null, 'neutral'], confused: ['confused eyes', 'looking confused', 'other'],
  starstruck: ['starry eyes', 'looking starstruck', 'other'], winking: ['a wink', 'winking', 'other'], sleepy: ['sleepy eyes', 'looking sleepy', 'other'],
  sad: ['sad eyes', 'with sad eyes', 'sad'], angry: ['angry eyes', 'glaring', 'angry'],
};
export const BIG_SMILE_MOUTH: Record<string, ExprEntry> = {
  openedSmile: ['an open smile', 'smiling', 'smile'], unimpressed: ['an unimpressed mouth', 'looking unimpressed', 'neutral'],
  gapSmile: ['a gap-toothed smile', 'smiling', 'smile'], openSad: ['an open sad mouth', 'looking upset', 'sad'],
  teethSmile: ['a toothy smile', 'grinning', 'smile'], awkwardSmile: ['an awkward smile', 'smiling awkwardly', 'other'],
  braces: ['a smile with braces', 'smiling with braces', 'smile'], kawaii: ['a cute kawaii smile', 'smiling cutely', 'smile'],
};
