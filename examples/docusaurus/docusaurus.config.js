// @ts-check
// A Docusaurus site with memtrace: one plugin, nothing else. It renders memtrace blocks in docs, blog and pages.
// FIXTURE_OUT_DIR and FIXTURE_DOCS let the tests build it into a temporary folder, or build a docs folder of their own.
const fixtureDocs = process.env.FIXTURE_DOCS;

/** @type {import('@docusaurus/types').Config} */
export default {
  title: 'memtrace in Docusaurus',
  favicon: 'img/favicon.svg',
  url: 'http://localhost',
  baseUrl: '/',
  onBrokenLinks: 'throw',
  presets: [
    [
      'classic',
      {
        docs: { path: fixtureDocs ?? 'docs', routeBasePath: 'docs', sidebarPath: fixtureDocs ? undefined : './sidebars.js' },
        blog: fixtureDocs ? false : { showReadingTime: false, onInlineAuthors: 'ignore', onUntruncatedBlogPosts: 'ignore' },
        pages: fixtureDocs ? false : {},
        theme: {},
      },
    ],
  ],
  plugins: ['memtrace/docusaurus'],
  themeConfig: {
    navbar: {
      title: 'memtrace',
      items: fixtureDocs ? [] : [
        { to: '/docs/stack-and-heap', label: 'Docs', position: 'left' },
        { to: '/blog', label: 'Blog', position: 'left' },
      ],
    },
    colorMode: { respectPrefersColorScheme: true },
  },
};
