import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { mapConcurrent, SeededRandom, cpuCount } from '@graft/core';

/**
 * A dataset of `count` images made from a class-folder dataset by seeded augmentation (random crop,
 * flip, rotation, brightness/saturation/hue shift), class folders kept: more images to measure
 * scaling with, all distinct contents. Reuses the folder when it is already complete.
 */
export async function synthesizeDataset(source: string, target: string, count: number, seed = 1): Promise<string> {
  const classes = readdirSync(source).filter((name) => !name.startsWith('.')).sort();
  const files = classes.flatMap((className) => readdirSync(join(source, className)).sort().map((file) => ({ className, file })));
  const marker = join(target, '.complete');
  if (existsSync(marker)) return target;
  for (const className of classes) mkdirSync(join(target, className), { recursive: true });
  const random = new SeededRandom(seed);
  const plans = Array.from({ length: count }, (_, i) => {
    const { className, file } = files[i % files.length]!;
    return { className, file, index: i, crop: 0.7 + 0.3 * random.next(), left: random.next(), top: random.next(), flip: random.next() < 0.5, angle: Math.round(random.next() * 30 - 15), brightness: 0.8 + 0.4 * random.next(), saturation: 0.7 + 0.6 * random.next(), hue: Math.round(random.next() * 40 - 20) };
  });
  await mapConcurrent(plans, cpuCount() * 2, async (plan) => {
    const image = sharp(join(source, plan.className, plan.file));
    const { width = 128, height = 128 } = await image.metadata();
    const side = Math.max(8, Math.round(Math.min(width, height) * plan.crop));
    let pipeline = sharp(join(source, plan.className, plan.file))
      .extract({ left: Math.floor((width - side) * plan.left), top: Math.floor((height - side) * plan.top), width: side, height: side })
      .rotate(plan.angle, { background: '#ffffff' })
      .modulate({ brightness: plan.brightness, saturation: plan.saturation, hue: plan.hue });
    if (plan.flip) pipeline = pipeline.flop();
    writeFileSync(join(target, plan.className, `synth_${String(plan.index).padStart(6, '0')}.jpg`), await pipeline.resize(160, 160, { fit: 'fill' }).jpeg({ quality: 88 }).toBuffer());
  });
  writeFileSync(marker, `${count}\n`);
  return target;
}
