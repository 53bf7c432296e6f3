export { copyProject, REPO_ROOT } from '../../bench/src/project-copy.js';
