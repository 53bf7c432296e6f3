// Classify an image with Graft's exported model, entirely in the browser.
// Preprocessing follows Graft's extract stage: EXIF orientation applied, transparency flattened on
// the metadata's background colour (white), stretched to size×size, RGB values 0..255 (the model
// scales them itself). One difference: extract resizes with libvips' lanczos3 kernel, this page with
// the canvas' high-quality smoothing, so pixels differ slightly (README: "In the browser").
const tf = globalThis.tf;
const status = document.getElementById('status');

async function chooseBackend() {
  tf.wasm.setWasmPaths('/vendor/');
  for (const backend of ['wasm', 'webgl', 'cpu']) {
    try {
      if (await tf.setBackend(backend)) {
        await tf.ready();
        return backend;
      }
    } catch {
      // try the next backend
    }
  }
  throw new Error('no TensorFlow.js backend works in this browser');
}

const backend = await chooseBackend();
const metadata = await (await fetch('/model/metadata.json')).json();
const model = await tf.loadLayersModel('/model/model.json');
const size = metadata.input.shape[1];
const [r, g, b] = metadata.preprocessing.background;

/** An image file as the model's input: size × size × 3 floats, RGB 0..255, drawn on `canvas`. */
async function pixelsOf(blob, canvas = document.createElement('canvas')) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  canvas.width = size;
  canvas.height = size;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = `rgb(${r}, ${g}, ${b})`;
  context.fillRect(0, 0, size, size);
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'high';
  context.drawImage(bitmap, 0, 0, size, size);
  bitmap.close();
  const rgba = context.getImageData(0, 0, size, size).data;
  const pixels = new Float32Array(size * size * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    pixels[j] = rgba[i];
    pixels[j + 1] = rgba[i + 1];
    pixels[j + 2] = rgba[i + 2];
  }
  return pixels;
}

/** Class probabilities of an image file, in the order of `metadata.labels`. */
async function classify(blob, canvas) {
  const pixels = await pixelsOf(blob, canvas);
  const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, size, size, 3])).dataSync());
  return Array.from(output);
}

async function show(file) {
  if (!file) return;
  document.body.dataset.state = 'classifying';
  status.textContent = `Classifying ${file.name}…`;
  try {
    const probabilities = await classify(file, document.getElementById('input'));
    const ranked = probabilities.map((p, i) => ({ label: metadata.labels[i], p })).sort((x, y) => y.p - x.p).slice(0, 5);
    const list = document.getElementById('results');
    list.replaceChildren(
      ...ranked.map(({ label, p }) => {
        const item = document.createElement('li');
        item.dataset.label = label;
        item.dataset.probability = String(p);
        const bar = document.createElement('div');
        bar.className = 'bar';
        bar.style.width = `${(100 * p).toFixed(1)}%`;
        item.append(Object.assign(document.createElement('strong'), { textContent: label }), Object.assign(document.createElement('span'), { textContent: `${(100 * p).toFixed(1)}%` }), bar);
        return item;
      }),
    );
    document.getElementById('view').hidden = false;
    status.textContent = `${file.name}: ${ranked[0].label} (${(100 * ranked[0].p).toFixed(1)}%)`;
    document.body.dataset.state = 'done';
  } catch (error) {
    status.textContent = `Cannot classify ${file.name}: ${error.message}`;
    document.body.dataset.state = 'error';
  }
}

const drop = document.getElementById('drop');
document.getElementById('file').addEventListener('change', (event) => show(event.target.files[0]));
drop.addEventListener('dragover', (event) => {
  event.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('over');
  show(event.dataTransfer.files[0]);
});

// For scripts and tests (examples/browser/headless.mjs).
globalThis.graft = { classify, pixelsOf, backend, metadata };
status.textContent = `Ready: ${metadata.backbone.id} + trained head, ${metadata.labels.length} classes (${metadata.labels.join(', ')}); TensorFlow.js ${tf.version.tfjs} on ${backend}.`;
document.body.dataset.state = 'ready';
