import type { Vp8Descriptor } from '../vp8.ts';

/**
 * One subscriber's view of a forwarded VP8 stream: which temporal layers pass (RFC 7741 §4.2 TID,
 * Y bit) and the picture ID / TL0PICIDX it sees. Switching up waits for a layer sync frame (Y=1)
 * or a keyframe, switching down happens at the next frame start; picture IDs of dropped frames are
 * taken out of the numbering and both fields continue across source switches (substream or
 * publisher), as Janus does: libwebrtc's VP8 reference finder relies on continuous picture IDs and
 * TL0PICIDX to decide which frames are decodable. Numbers only, nothing allocated per packet.
 */
export class Vp8TemporalFilter {
  /** Highest temporal layer wanted (0–2); undefined: every layer. */
  target: number | undefined = undefined;
  /** Temporal layer forwarded now; -1 before the first layered frame. */
  current = -1;
  /** Set by accept() when `current` changed (the caller reports it and clears the flag). */
  changed = false;
  /** Picture ID / TL0PICIDX to write into the packet last accepted (-1: the packet has none). */
  outPictureId = -1;
  outTl0PicIdx = -1;
  #picOffset = 0;
  #tl0Offset = 0;
  #lastOutPic = -1;
  #lastOutTl0 = -1;
  #rebase = true;
  /** Source picture ID of the current frame and its output (packets of one frame share them). */
  #framePic = -1;
  #frameOut = -1;
  #lastDroppedPic = -1;

  /** The next frame comes from another source (substream or publisher): continue the numbering. */
  rebase(): void {
    this.#rebase = true;
    this.#framePic = -1;
    this.#lastDroppedPic = -1;
  }

  /** Decides whether the packet described by `d` is forwarded; on true, sets the output fields. */
  accept(d: Vp8Descriptor): boolean {
    const frameStart = d.start && d.partition === 0;
    const tid = d.tid;
    if (tid >= 0 && this.target !== undefined && frameStart) this.#switch(d, tid, this.target);
    const keep = tid < 0 || this.target === undefined || this.current < 0 || tid <= this.current;
    if (d.pictureId < 0) {
      this.outPictureId = -1;
    } else {
      const mod = d.pictureIdBits === 15 ? 0x8000 : 0x80;
      if (this.#rebase) {
        this.#picOffset = this.#lastOutPic < 0 ? 0 : (this.#lastOutPic + 1 - d.pictureId) & (mod - 1);
        this.#framePic = -1;
      }
      if (!keep) {
        // A dropped frame leaves no hole in the numbering: later frames shift down by one.
        if (d.pictureId !== this.#lastDroppedPic && d.pictureId !== this.#framePic) {
          this.#picOffset = (this.#picOffset - 1) & 0x7fff;
          this.#lastDroppedPic = d.pictureId;
        }
      } else if (d.pictureId === this.#framePic) {
        this.outPictureId = this.#frameOut;
      } else {
        this.#framePic = d.pictureId;
        this.#frameOut = (d.pictureId + this.#picOffset) & (mod - 1);
        this.outPictureId = this.#frameOut;
        this.#lastOutPic = this.#frameOut;
      }
    }
    if (d.tl0PicIdx < 0) {
      this.outTl0PicIdx = -1;
    } else if (keep) {
      if (this.#rebase) this.#tl0Offset = this.#lastOutTl0 < 0 ? 0 : (this.#lastOutTl0 + (tid <= 0 ? 1 : 0) - d.tl0PicIdx) & 0xff;
      this.outTl0PicIdx = (d.tl0PicIdx + this.#tl0Offset) & 0xff;
      this.#lastOutTl0 = this.outTl0PicIdx;
    }
    if (keep) this.#rebase = false;
    return keep;
  }

  /** At a frame start: down at once, up at a layer sync frame or a keyframe. */
  #switch(d: Vp8Descriptor, tid: number, target: number): void {
    let next = this.current;
    if (this.current < 0 || d.keyframe) next = target;
    else if (target < this.current) next = target;
    else if (target > this.current && tid > this.current && tid <= target && d.layerSync) next = tid;
    if (next !== this.current) {
      this.current = next;
      this.changed = true;
    }
  }
}
